import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { payloadFixture } from '@rollgate/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileArtifactStore } from '../../src/node/file-artifact-store';
import { createFileAuditSink } from '../../src/node/file-audit-sink';
import { createFileStateStore } from '../../src/node/file-state-store';
import { createHmacSigner } from '../../src/node/hmac-signer';
import {
  redactingArtifactStore,
  redactingAuditSink,
  redactingNotifier,
  redactingStateStore,
} from '../../src/node/redacting-ports';
import { createSecretRedactor, REDACTED } from '../../src/node/secret-redactor';
import type { Notification } from '../../src/ports/notifier';
import { ok } from '../../src/ports/result';
import { auditRecordFixture } from '../testing/fixtures/audit-record-fixture';
import { liveContext } from '../testing/fixtures/port-context';
import { tempDir } from './temp-dir';

/**
 * Issue 18, finding 4: a proxy echoed X-Scope-OrgID's value into a 401/503 body; it reached a
 * verdict's reason, and from there the audit file, the snapshot and the report. Every record
 * crossing a store's boundary goes through the redactor, so no file holds the value.
 */

const SECRET = 'tenant-7f3a9c1e5b2d4086';
const echoed = `HTTP 503 from the proxy: upstream down; request headers: x-scope-orgid: ${SECRET}`;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

describe('redacting port wrappers over the file stores', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const redact = createSecretRedactor([SECRET]);
  const ctx = liveContext(Date.now());

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await cleanup();
  });

  it('writes no secret into the audit file, the snapshot or the verification records', async () => {
    const audit = redactingAuditSink(createFileAuditSink({ path: join(dir, 'audit.jsonl') }), redact);
    const state = redactingStateStore(createFileStateStore({ dir: join(dir, 'snapshots') }), redact);
    const artifacts = redactingArtifactStore(
      createFileArtifactStore({
        path: join(dir, 'artifacts.json'),
        signer: createHmacSigner({ secret: 'kq3V9x7N2mB4pL8zR6tY1wE5uI0oA2sD' }),
      }),
      redact,
    );
    const record = auditRecordFixture('w-1', { reason: `escalated: ${echoed}` });
    expect((await audit.write(record, ctx)).ok).toBe(true);
    expect((await state.save('w-1', { watchId: 'w-1', verdict: { reason: echoed } }, ctx)).ok).toBe(true);
    const payload = payloadFixture('checkout', '42@abc', Date.now());
    const recorded = await artifacts.record(
      { ...payload, evidence: { ...payload.evidence, summary: echoed } },
      ctx,
    );
    expect(recorded.ok).toBe(true);

    const files = await filesUnder(dir);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) expect(await readFile(file, 'utf8'), file).not.toContain(SECRET);

    // What was written reads back redacted, and still valid: the record verifies.
    const read = await audit.read('w-1', ctx);
    expect(read.ok && read.value?.reason).toBe(
      `escalated: HTTP 503 from the proxy: upstream down; request headers: x-scope-orgid: ${REDACTED}`,
    );
    const loaded = await state.load('w-1', ctx);
    expect(JSON.stringify(loaded.ok && loaded.value)).toContain(REDACTED);
    const listed = await artifacts.list('checkout', ctx);
    expect(listed.ok && listed.value[0]?.signatureValid).toBe(true);
  });

  it('sends notifications without the secret', async () => {
    const sent: Notification[] = [];
    const notifier = redactingNotifier(
      {
        async notify(n) {
          sent.push(n);
          return ok(undefined);
        },
      },
      redact,
    );
    await notifier.notify(
      {
        kind: 'page',
        service: 'checkout',
        watchId: 'w-1',
        title: 'escalated',
        summary: echoed,
        outcome: 'escalated',
        fields: {},
      },
      ctx,
    );
    expect(JSON.stringify(sent)).not.toContain(SECRET);
    expect(JSON.stringify(sent)).toContain(REDACTED);
  });
});
