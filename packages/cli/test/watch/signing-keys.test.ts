import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEd25519Signer } from '@rollgate/core/node';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { createDeployerLayout } from '../support/deployer-layout';
import { memoryIo } from '../support/memory-io';
import { useTempDirs } from '../support/temp-dir';

/**
 * Issue 18, finding 5: with the private key deleted, the next `rollgate watch` (even a dry run)
 * generated a new pair and overwrote the public key, so every existing verification became
 * invalid and every rollback would halt. A key pair is generated only when neither half exists;
 * a lost private key halts with SIGNING_KEY_MISSING and nothing written; a dry run never writes
 * a key.
 */

const PRIVATE = 'rollgate-ed25519.key';
const PUBLIC = 'rollgate-ed25519.pub';

async function setup(dir: string) {
  const layout = await createDeployerLayout(dir);
  await layout.addRelease('1', 'aaa111');
  await layout.switchTo('1');
  // Nothing listens on port 9: the source fails, which is fine for what is tested here.
  await writeFile(
    join(dir, 'rollgate.yaml'),
    `service: checkout\nsources:\n  default: { type: prometheus, url: "http://127.0.0.1:9" }\nexecutor: { type: deployer, deployPath: ${layout.deployPath} }\nstate: { dir: state }\n`,
  );
  return layout;
}

/** Every file under `dir` with its content, to compare before and after. */
async function snapshotOf(dir: string): Promise<Record<string, string>> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      out[path] = await readFile(path, 'utf8');
    }
  }
  return out;
}

/** Runs a dry-run watch until it has started, then interrupts it like Ctrl-C. */
async function dryRunUntilStarted(dir: string) {
  const io = memoryIo({ cwd: dir });
  // The source is unreachable on purpose (only the keys matter here): skip the preflight, which
  // would refuse to start the watch.
  const done = main(['watch', '--dry-run', '--json', '--no-preflight'], io);
  for (let i = 0; i < 400 && !io.out().includes('"type":"start"'); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  io.interrupt('SIGINT');
  const code = await done;
  return { io, code };
}

describe('signing keys of rollgate watch', () => {
  const tempDir = useTempDirs();

  it('a watch halts with SIGNING_KEY_MISSING when the private key is gone, and writes nothing', async () => {
    const dir = await tempDir();
    await setup(dir);
    const keys = join(dir, 'state', 'keys');
    const signer = createEd25519Signer({ keyDir: keys });
    await rm(join(keys, PRIVATE));
    const before = await snapshotOf(join(dir, 'state'));

    const io = memoryIo({ cwd: dir });
    expect(await main(['watch', '--json'], io)).toBe(1);
    expect(io.err()).toContain('SIGNING_KEY_MISSING');
    expect(io.err()).toContain(signer.keyId);
    const summary = JSON.parse(io.out().trimEnd().split('\n').at(-1) as string) as Record<string, unknown>;
    expect(summary).toMatchObject({
      type: 'summary',
      outcome: 'error',
      error: { code: 'SIGNING_KEY_MISSING' },
    });
    expect(await snapshotOf(join(dir, 'state'))).toEqual(before);
  }, 30_000);

  it('a dry run on a fresh state directory creates no key', async () => {
    const dir = await tempDir();
    await setup(dir);
    const { io, code } = await dryRunUntilStarted(dir);
    expect(io.out(), io.err()).toContain('"type":"start"');
    expect(code).toBe(130);
    expect(existsSync(join(dir, 'state', 'keys'))).toBe(false);
  }, 30_000);

  it('a dry run with the private key gone writes no key and says the key is missing', async () => {
    const dir = await tempDir();
    await setup(dir);
    const keys = join(dir, 'state', 'keys');
    createEd25519Signer({ keyDir: keys });
    await rm(join(keys, PRIVATE));
    const publicBefore = await readFile(join(keys, PUBLIC), 'utf8');
    const { io, code } = await dryRunUntilStarted(dir);
    expect(code).toBe(130);
    expect(io.out()).toContain('SIGNING_KEY_MISSING');
    expect(await readdir(keys)).toEqual([PUBLIC]);
    expect(await readFile(join(keys, PUBLIC), 'utf8')).toBe(publicBefore);
  }, 30_000);

  it('a dry run with the whole pair uses it and writes nothing to it', async () => {
    const dir = await tempDir();
    await setup(dir);
    const keys = join(dir, 'state', 'keys');
    createEd25519Signer({ keyDir: keys });
    const before = await snapshotOf(keys);
    const { code } = await dryRunUntilStarted(dir);
    expect(code).toBe(130);
    expect(await snapshotOf(keys)).toEqual(before);
  }, 30_000);
});
