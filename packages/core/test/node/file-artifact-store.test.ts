import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeArtifactStoreContract, payloadFixture } from '@rollgate/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEd25519Signer } from '../../src/node/ed25519-signer';
import { ARTIFACT_FILE_FORMAT, createFileArtifactStore } from '../../src/node/file-artifact-store';
import { createHmacSigner } from '../../src/node/hmac-signer';
import type { Signer, VerificationRecord } from '../../src/ports/artifact-store';
import { liveContext } from '../testing/fixtures/port-context';
import { tempDir } from './temp-dir';

/** Edits one record in the store file the way a person with a text editor would. */
async function editFile(
  path: string,
  service: string,
  artifactId: string,
  patch: (r: VerificationRecord) => VerificationRecord,
) {
  const doc = JSON.parse(await readFile(path, 'utf8')) as { records: VerificationRecord[] };
  const index = doc.records.findIndex((r) => r.service === service && r.artifact.id === artifactId);
  const record = doc.records[index];
  if (!record) throw new Error(`no record ${artifactId}`);
  doc.records[index] = patch(record);
  await writeFile(path, JSON.stringify(doc, null, 2));
}

const signers: readonly [string, (dir: string) => Signer][] = [
  ['Ed25519 (key generated in keyDir)', (dir) => createEd25519Signer({ keyDir: join(dir, 'keys') })],
  ['HMAC-SHA256', () => createHmacSigner({ secret: 'kq3V9x7N2mB4pL8zR6tY1wE5uI0oA2sD' })],
];

for (const [signerName, makeSigner] of signers) {
  describeArtifactStoreContract(
    `file with ${signerName}`,
    async ({ clock, keep, brokenSigner }) => {
      const { dir, cleanup } = await tempDir();
      const path = join(dir, 'state', 'artifacts.json');
      const store = createFileArtifactStore({
        path,
        signer: brokenSigner ?? makeSigner(dir),
        clock,
        ...(keep === undefined ? {} : { keep }),
      });
      return { store, tamper: (service, id, patch) => editFile(path, service, id, patch), teardown: cleanup };
    },
    (keep) =>
      createFileArtifactStore({
        path: '/nonexistent/artifacts.json',
        signer: createHmacSigner({ secret: 'x'.repeat(32) }),
        keep,
      }),
    8, // every run writes real files with fsync; the memory table runs the property harder
  );
}

describe('createFileArtifactStore: the file', () => {
  let dir: string;
  let path: string;
  let cleanup: () => Promise<void>;
  const signer = createHmacSigner({ secret: 'kq3V9x7N2mB4pL8zR6tY1wE5uI0oA2sD' });
  const ctx = () => liveContext(Date.now());
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    path = join(dir, 'artifacts.json');
  });
  afterEach(async () => cleanup());

  it('is a JSON document with a format marker, records in storage order, and no temp files left', async () => {
    const store = createFileArtifactStore({ path, signer });
    await store.record(payloadFixture('checkout', '41@b', 2_000), ctx());
    await store.record(payloadFixture('checkout', '40@a', 1_000), ctx());
    const doc = JSON.parse(await readFile(path, 'utf8'));
    expect(doc.format).toBe(ARTIFACT_FILE_FORMAT);
    expect(doc.records.map((r: VerificationRecord) => r.artifact.id)).toEqual(['41@b', '40@a']);
    expect(doc.records[0]).toEqual(
      expect.objectContaining({ keyId: signer.keyId, algorithm: 'hmac-sha256' }),
    );
    expect(await readdir(dir)).toEqual(['artifacts.json']);
  });

  it('persists across store instances', async () => {
    await createFileArtifactStore({ path, signer }).record(payloadFixture('checkout', '41@b', 2_000), ctx());
    const reopened = await createFileArtifactStore({ path, signer }).lastVerified(
      'checkout',
      { excluding: [] },
      ctx(),
    );
    expect(reopened.ok && reopened.value?.record.artifact.id).toBe('41@b');
    expect(reopened.ok && reopened.value?.signatureValid).toBe(true);
  });

  it('loses no record when several are recorded concurrently', async () => {
    const store = createFileArtifactStore({ path, signer, keep: 10 });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.record(payloadFixture('checkout', `${i}@c`, i), ctx())),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const list = await store.list('checkout', ctx());
    expect(list.ok && list.value.length).toBe(8);
  });

  it('a record checked by a store with another key is invalid (unknown key), not skipped', async () => {
    await createFileArtifactStore({ path, signer }).record(payloadFixture('checkout', '41@b', 2_000), ctx());
    const other = createFileArtifactStore({
      path,
      signer: createHmacSigner({ secret: 'another-secret-of-32-bytes-or-more!' }),
    });
    const last = await other.lastVerified('checkout', { excluding: [] }, ctx());
    expect(last.ok && last.value?.signatureValid).toBe(false);
  });

  const corruptions: readonly [string, string, RegExp][] = [
    ['truncated JSON', '{"format":"rollgate.artifacts/v1","records":[{"service":"che', /not valid JSON/],
    ['an empty file', '', /empty/],
    ['another format', '{"format":"something-else","records":[]}', /format/],
    [
      'a record without a signature',
      `{"format":"${ARTIFACT_FILE_FORMAT}","records":[{"service":"checkout","artifact":{"id":"1@a"},"verifiedAt":1,"evidence":{},"keyId":"k","algorithm":"ed25519"}]}`,
      /records\.0\.signature/,
    ],
    [
      'a string verifiedAt',
      `{"format":"${ARTIFACT_FILE_FORMAT}","records":[{"service":"checkout","artifact":{"id":"1@a"},"verifiedAt":"yesterday","evidence":{},"keyId":"k","algorithm":"ed25519","signature":"x"}]}`,
      /records\.0\.verifiedAt/,
    ],
  ];
  for (const [what, content, message] of corruptions) {
    it(`reports ${what} as STORE_FAILED with a clear message, never as an empty store, and never overwrites it`, async () => {
      await writeFile(path, content);
      const store = createFileArtifactStore({ path, signer });
      for (const result of [
        await store.lastVerified('checkout', { excluding: [] }, ctx()),
        await store.list('checkout', ctx()),
        await store.record(payloadFixture('checkout', '2@b', 2), ctx()),
      ]) {
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.error.code).toBe('STORE_FAILED');
          expect(result.error.message).toMatch(message);
          expect(result.error.message).toContain(path);
          expect(result.error.message).toMatch(/Restore it from a backup/);
        }
      }
      expect(await readFile(path, 'utf8')).toBe(content);
    });
  }

  it('reports an unreadable path as STORE_FAILED instead of throwing', async () => {
    const store = createFileArtifactStore({ path: dir, signer });
    const result = await store.list('checkout', ctx());
    expect(!result.ok && result.error.code).toBe('STORE_FAILED');
    const written = await store.record(payloadFixture('checkout', '1@a', 1), ctx());
    expect(!written.ok && written.error.code).toBe('STORE_FAILED');
  });
});
