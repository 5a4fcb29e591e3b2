import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEd25519Signer, createFileArtifactStore } from '@rollgate/core/node';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { createDeployerLayout } from '../support/deployer-layout';
import { memoryIo } from '../support/memory-io';
import { useTempDirs } from '../support/temp-dir';

const ctx = () => ({ signal: new AbortController().signal, deadline: Date.now() + 10_000 });

async function setup(dir: string) {
  const layout = await createDeployerLayout(dir);
  await writeFile(
    join(dir, 'rollgate.yaml'),
    `service: checkout\nsources:\n  default: { type: prometheus, url: "http://127.0.0.1:9" }\nexecutor: { type: deployer, deployPath: ${layout.deployPath} }\nstate: { dir: state }\n`,
  );
  const signer = createEd25519Signer({ keyDir: join(dir, 'state', 'keys') });
  const store = createFileArtifactStore({ path: join(dir, 'state', 'artifacts.json'), signer });
  const evidence = {
    summary: 'baked 600 s, 6012 requests; all 4 signals pass',
    bakeSeconds: 600,
    signals: [],
  };
  const base = Date.parse('2025-05-01T12:00:00Z');
  for (const [i, id] of ['40@aaa', '41@bbb', '42@ccc'].entries()) {
    const r = await store.record(
      { service: 'checkout', artifact: { id }, verifiedAt: base + i * 60_000, evidence },
      ctx(),
    );
    expect(r.ok).toBe(true);
  }
  await store.record({ service: 'billing', artifact: { id: '7@ddd' }, verifiedAt: base, evidence }, ctx());
  return { layout, signer };
}

describe('rollgate artifacts', () => {
  const tempDir = useTempDirs();

  it('lists nothing, exit 0, for a state directory no watch has used, and creates no key or directory', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'rollgate.yaml'),
      'service: checkout\nsources:\n  default: { type: prometheus, url: "http://127.0.0.1:9" }\nexecutor: { type: deployer, deployPath: /srv/app }\nstate: { dir: state }\n',
    );
    const io = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'list'], io)).toBe(0);
    expect(io.out()).toBe(`no verified artifacts for checkout in ${join(dir, 'state', 'artifacts.json')}\n`);
    const json = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'list', '--all', '--json'], json)).toBe(0);
    expect(JSON.parse(json.out())).toMatchObject({
      type: 'summary',
      records: 0,
      valid: 0,
      invalid: 0,
      exitCode: 0,
    });
    const verify = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'verify'], verify)).toBe(0);
    expect(verify.out()).toContain('nothing to verify');
    // Reading never generates a signing key: that is the first watch's job.
    expect(existsSync(join(dir, 'state'))).toBe(false);
  }, 60_000);

  it('lists the verified artifacts of the service newest first with their signature status', async () => {
    const dir = await tempDir();
    const { signer } = await setup(dir);
    const io = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'list'], io)).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ARTIFACT\s+VERIFIED AT\s+SIGNATURE\s+KEY\s+EVIDENCE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['42@ccc', '41@bbb', '40@aaa']);
    expect(lines.slice(1).every((l) => l.includes(' valid ') && l.includes(signer.keyId))).toBe(true);

    const all = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'list', '--all', '--json'], all)).toBe(0);
    const events = all
      .out()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e.type === 'artifact').map((e) => `${e.service}/${e.artifact}`)).toEqual([
      'checkout/42@ccc',
      'checkout/41@bbb',
      'checkout/40@aaa',
      'billing/7@ddd',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'summary', records: 4, valid: 4, invalid: 0, exitCode: 0 });
  });

  it('verify exits 0 when every signature is valid and 1 naming a tampered record', async () => {
    const dir = await tempDir();
    await setup(dir);
    const ok = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'verify'], ok)).toBe(0);
    expect(ok.out()).toContain('all 3 signature(s) valid');

    const file = join(dir, 'state', 'artifacts.json');
    const doc = JSON.parse(await readFile(file, 'utf8')) as {
      records: { artifact: { id: string }; evidence: { summary: string } }[];
    };
    const victim = doc.records.find((r) => r.artifact.id === '41@bbb');
    if (!victim) throw new Error('fixture');
    victim.evidence.summary = 'baked 600 s; all signals pass (edited)';
    await writeFile(file, JSON.stringify(doc, null, 2));

    const bad = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'verify'], bad)).toBe(1);
    expect(bad.err()).toContain(
      'INVALID: checkout 41@bbb verified 2025-05-01T12:01:00.000Z: signature does not match the record',
    );
    expect(bad.err()).toContain('1 of 3 record(s) have an invalid signature');
    expect(bad.out()).toMatch(/41@bbb\s+\S+\s+INVALID/);
    expect(bad.out()).toMatch(/42@ccc\s+\S+\s+valid/);

    const listed = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'list'], listed)).toBe(0);
    const json = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'verify', '--json'], json)).toBe(1);
    expect(JSON.parse(json.out().trimEnd().split('\n').at(-1) as string)).toMatchObject({
      invalid: 1,
      valid: 2,
      exitCode: 1,
    });
  });

  it('verifies with the public key alone but says the private key is missing (exit 1), and refuses when there is no key at all', async () => {
    const dir = await tempDir();
    const { signer, layout } = await setup(dir);
    await layout.addRelease('40', 'aaa');
    await layout.addRelease('41', 'bbb');
    await layout.switchTo('41');
    const { readdir, rm } = await import('node:fs/promises');
    await rm(join(dir, 'state', 'keys', 'rollgate-ed25519.key'));
    const io = memoryIo({ cwd: dir });
    // Issue 18, finding 5: this said every record was valid and exited 0.
    expect(await main(['artifacts', 'verify'], io)).toBe(1);
    expect(io.out()).toContain('all 3 signature(s) valid');
    expect(io.err()).toContain('SIGNING_KEY_MISSING');
    expect(io.err()).toContain(
      `The private signing key ${join(dir, 'state', 'keys', 'rollgate-ed25519.key')} is missing`,
    );
    const json = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'verify', '--json'], json)).toBe(1);
    expect(JSON.parse(json.out().trimEnd().split('\n').at(-1) as string)).toMatchObject({
      type: 'summary',
      valid: 3,
      invalid: 0,
      exitCode: 1,
      signingKey: { code: 'SIGNING_KEY_MISSING', keyId: signer.keyId },
    });
    const list = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'list'], list)).toBe(0);
    expect(list.err()).toContain('SIGNING_KEY_MISSING');
    // Recording needs the private key: it halts and writes nothing, no new pair.
    const before = await readFile(join(dir, 'state', 'artifacts.json'), 'utf8');
    const record = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'record', '--artifact', '40@aaa'], record)).toBe(1);
    expect(record.err()).toContain('SIGNING_KEY_MISSING');
    expect(await readdir(join(dir, 'state', 'keys'))).toEqual(['rollgate-ed25519.pub']);
    expect(await readFile(join(dir, 'state', 'artifacts.json'), 'utf8')).toBe(before);
    await rm(join(dir, 'state', 'keys'), { recursive: true });
    const none = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'verify'], none)).toBe(2);
    expect(none.err()).toContain('no signing key in');
  });

  it('reports a corrupt store instead of treating it as empty', async () => {
    const dir = await tempDir();
    await setup(dir);
    await writeFile(join(dir, 'state', 'artifacts.json'), '{"format": "rollgate.artifacts/v1", "records": [');
    const io = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'list'], io)).toBe(1);
    expect(io.err()).toContain('STORE_FAILED');
    expect(io.err()).toContain('is corrupt');
  });

  it('record signs a verification for an artifact the executor can cut over to, and refuses others', async () => {
    const dir = await tempDir();
    const { layout } = await setup(dir);
    await layout.addRelease('1', 'abc123');
    await layout.addRelease('2', 'def456');
    await layout.switchTo('2');
    const io = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'record', '--artifact', '1@abc123', '--note', 'ran for weeks'], io)).toBe(
      0,
    );
    expect(io.out()).toContain('recorded 1@abc123 as verified for checkout');
    const list = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'list'], list)).toBe(0);
    expect(list.out().split('\n')[1]).toMatch(
      /^1@abc123\s+\S+\s+valid\s+\S+\s+recorded by hand with rollgate artifacts record: ran for weeks$/,
    );
    const unknown = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'record', '--artifact', '9@zzz'], unknown)).toBe(2);
    expect(unknown.err()).toContain('9@zzz is not among the artifacts');
    const usage = memoryIo({ cwd: dir });
    expect(await main(['artifacts', 'sign'], usage)).toBe(2);
    expect(usage.err()).toContain('unknown action "sign"; use list, verify or record.');
  });
});
