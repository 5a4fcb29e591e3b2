import { appendFile, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeAuditSinkContract } from '@rollgate/testkit';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAuditFile, readAuditFile } from '../../src/node/audit-file';
import { createFileAuditSink } from '../../src/node/file-audit-sink';
import { auditRecordFixture } from '../testing/fixtures/audit-record-fixture';
import { liveContext } from '../testing/fixtures/port-context';
import { tempDir } from './temp-dir';

async function linesOf(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((l) => l.length > 0);
}

describeAuditSinkContract('file', async (clock) => {
  const { dir, cleanup } = await tempDir();
  const path = join(dir, 'logs', 'audit.jsonl');
  const sink = createFileAuditSink({ path, clock, onWarning: () => {} });
  return {
    sink,
    storedCount: async () => {
      const file = await readAuditFile(path);
      return file.ok ? file.value.records.length : -1;
    },
    teardown: cleanup,
  };
});

describe('createFileAuditSink: the file', () => {
  let dir: string;
  let path: string;
  let cleanup: () => Promise<void>;
  let warnings: string[];
  const ctx = () => liveContext(Date.now());
  const open = () => createFileAuditSink({ path, onWarning: (m) => warnings.push(m) });
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    path = join(dir, 'audit.jsonl');
    warnings = [];
  });
  afterEach(async () => cleanup());

  it('writes one JSON record per line, each line complete with its newline', async () => {
    const sink = open();
    await sink.write(auditRecordFixture('w1'), ctx());
    await sink.write(auditRecordFixture('w2'), ctx());
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(
      text
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l).watchId),
    ).toEqual(['w1', 'w2']);
  });

  it('stays idempotent across sink instances (a resumed controller)', async () => {
    await open().write(auditRecordFixture('w1'), ctx());
    await open().write(auditRecordFixture('w1', { reason: 'again after restart' }), ctx());
    expect(await linesOf(path)).toHaveLength(1);
  });

  it('ignores and reports a torn final line, then cuts it off on the next write', async () => {
    const sink = open();
    await sink.write(auditRecordFixture('w1'), ctx());
    const torn = JSON.stringify(auditRecordFixture('w2')).slice(0, 250);
    await appendFile(path, torn);

    const read = await sink.read('w1', ctx());
    expect(read.ok && read.value?.watchId).toBe('w1');
    expect((await sink.read('w2', ctx())).ok).toBe(true);
    expect(warnings.join('\n')).toMatch(/torn line \(line 2, 250 bytes\).*ignored/);
    const file = await readAuditFile(path);
    expect(file.ok && file.value.tornTail).toEqual({ line: 2, bytes: 250 });
    expect(file.ok && file.value.records.map((r) => r.watchId)).toEqual(['w1']);

    const rewritten = await sink.write(auditRecordFixture('w2'), ctx());
    expect(rewritten.ok).toBe(true);
    expect(warnings.at(-1)).toMatch(/removed before appending/);
    const after = await readAuditFile(path);
    expect(after.ok && after.value.tornTail).toBeNull();
    expect(after.ok && after.value.records.map((r) => r.watchId)).toEqual(['w1', 'w2']);
  });

  it('keeps a complete last record whose newline never reached the disk, and appends after it', async () => {
    const sink = open();
    await sink.write(auditRecordFixture('w1'), ctx());
    await truncate(path, (await readFile(path)).length - 1);
    const read = await sink.read('w1', ctx());
    expect(read.ok && read.value?.watchId).toBe('w1');
    await sink.write(auditRecordFixture('w2'), ctx());
    expect((await linesOf(path)).map((l) => JSON.parse(l).watchId)).toEqual(['w1', 'w2']);
    expect(warnings).toEqual([]);
  });

  it('reports a damaged line before the last as STORE_FAILED naming the line, and writes nothing', async () => {
    const good = JSON.stringify(auditRecordFixture('w1'));
    for (const bad of [
      '{"watchId": "w2", "oops',
      JSON.stringify({ ...auditRecordFixture('w2'), outcome: 'exploded' }),
    ]) {
      const content = `${good}\n${bad}\n${good.replace('"w1"', '"w3"')}\n`;
      await writeFile(path, content);
      const sink = open();
      for (const result of [
        await sink.read('w1', ctx()),
        await sink.write(auditRecordFixture('w4'), ctx()),
        await readAuditFile(path),
      ]) {
        expect(!result.ok && result.error.code).toBe('STORE_FAILED');
        expect(!result.ok && result.error.message).toMatch(/line 2/);
      }
      expect(await readFile(path, 'utf8')).toBe(content);
    }
  });

  it('readAuditFile: a missing file holds no records; blank lines are skipped', async () => {
    expect(await readAuditFile(join(dir, 'missing.jsonl'))).toEqual({
      ok: true,
      value: { records: [], tornTail: null },
    });
    await writeFile(path, `\n${JSON.stringify(auditRecordFixture('w1'))}\n\n`);
    const file = await readAuditFile(path);
    expect(file.ok && file.value.records.map((r) => r.watchId)).toEqual(['w1']);
  });

  it('reports an unwritable path as STORE_FAILED instead of throwing', async () => {
    const sink = createFileAuditSink({ path: dir, onWarning: () => {} });
    const result = await sink.write(auditRecordFixture('w1'), ctx());
    expect(!result.ok && result.error.code).toBe('STORE_FAILED');
  });

  it('a file cut at any byte reads as a prefix of its records, and the next write repairs it (property)', async () => {
    const records = ['w1', 'w2', 'w3'].map((id) => auditRecordFixture(id));
    const full = Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const ends: number[] = [];
    for (const r of records) ends.push((ends.at(-1) ?? 0) + Buffer.byteLength(JSON.stringify(r)) + 1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: full.length }), (cut) => {
        const parsed = parseAuditFile(full.subarray(0, cut), 'audit.jsonl');
        if (!parsed.ok) throw parsed.error;
        // A record counts once all of its JSON is there, even without its newline.
        const complete = ends.filter((end) => end - 1 <= cut).length;
        expect(parsed.value.records.map((r) => r.watchId)).toEqual(
          records.slice(0, complete).map((r) => r.watchId),
        );
        const torn = cut > 0 && !ends.some((end) => end === cut || end - 1 === cut);
        expect(parsed.value.tornTail !== null).toBe(torn);
      }),
      { numRuns: 400 },
    );
    for (const cut of [0, 10, (ends[0] ?? 0) - 1, ends[0] ?? 0, (ends[1] ?? 0) + 7, full.length - 1]) {
      await writeFile(path, full.subarray(0, cut));
      const sink = open();
      expect((await sink.write(auditRecordFixture('w9'), ctx())).ok).toBe(true);
      const after = await readAuditFile(path);
      if (!after.ok) throw after.error;
      expect(after.value.tornTail).toBeNull();
      expect(after.value.records.at(-1)?.watchId).toBe('w9');
    }
  });
});
