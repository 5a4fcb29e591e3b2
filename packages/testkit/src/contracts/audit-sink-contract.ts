import type { AuditSink } from '@rollgate/core';
import { SimulatedClock } from '@rollgate/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { abortedContext, auditRecordFixture, errorOf, liveContext, okValue } from './store-fixtures';

/** What an audit sink test needs from an implementation. */
export interface AuditSinkContractHarness {
  readonly sink: AuditSink;
  /** How many records are stored in total, every revision counted (duplicates too, if any slipped in). */
  storedCount(): Promise<number>;
  teardown(): Promise<void>;
}

/** The suite every `AuditSink` runs: read back by watch id, one record per watch and revision
 * (idempotent and under concurrent writes; the newest revision read back), schema-invalid records
 * refused naming the field, abort honoured. */
export function describeAuditSinkContract(
  name: string,
  setup: (clock: SimulatedClock) => Promise<AuditSinkContractHarness>,
): void {
  describe(`AuditSink contract: ${name}`, () => {
    let h: AuditSinkContractHarness;
    let clock: SimulatedClock;
    const ctx = () => liveContext(clock.now());
    beforeEach(async () => {
      clock = new SimulatedClock(1_700_000_000_000);
      h = await setup(clock);
    });
    afterEach(async () => h.teardown());

    it('writes a record and reads it back by watchId', async () => {
      const record = auditRecordFixture('watch-a');
      okValue(await h.sink.write(record, ctx()));
      expect(okValue(await h.sink.read('watch-a', ctx()))).toEqual(record);
      expect(okValue(await h.sink.read('watch-unknown', ctx()))).toBeNull();
    });

    it('is idempotent per watchId: a second write keeps exactly one record, the first', async () => {
      const first = auditRecordFixture('watch-b');
      okValue(await h.sink.write(first, ctx()));
      okValue(
        await h.sink.write(auditRecordFixture('watch-b', { reason: 'written again after a resume' }), ctx()),
      );
      okValue(await h.sink.write(first, ctx()));
      expect(await h.storedCount()).toBe(1);
      expect(okValue(await h.sink.read('watch-b', ctx()))?.reason).toBe(first.reason);
    });

    it('keeps each revision of a reopened watch and reads back the newest', async () => {
      const first = auditRecordFixture('watch-r', { reason: 'escalated: recovery not verified' });
      const second = auditRecordFixture('watch-r', {
        reason: 'rolled back after a human retry',
        revision: 2,
      });
      okValue(await h.sink.write(first, ctx()));
      okValue(await h.sink.write(second, ctx()));
      expect(okValue(await h.sink.read('watch-r', ctx()))?.reason).toBe(second.reason);
      // A late replay of the first revision (a resumed controller) changes nothing.
      okValue(await h.sink.write(first, ctx()));
      okValue(await h.sink.write({ ...second, reason: 'written again after a resume' }, ctx()));
      expect(await h.storedCount()).toBe(2);
      expect(okValue(await h.sink.read('watch-r', ctx()))).toEqual(second);
    });

    it('keeps one record per watch when the same watch is written concurrently', async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          h.sink.write(auditRecordFixture('watch-c', { reason: `attempt ${i}` }), ctx()),
        ),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      okValue(await h.sink.write(auditRecordFixture('watch-d'), ctx()));
      expect(await h.storedCount()).toBe(2);
    });

    it('refuses a schema-invalid record with STORE_FAILED naming the field, and stores nothing', async () => {
      const missing = { ...auditRecordFixture('watch-e') } as Record<string, unknown>;
      delete missing.outcome;
      const error = errorOf(await h.sink.write(missing as never, ctx()));
      expect(error.code).toBe('STORE_FAILED');
      expect(error.message).toContain('outcome');
      expect(error.details.fields).toContain('outcome');

      const badWindow = auditRecordFixture('watch-e');
      const nested = errorOf(
        await h.sink.write(
          { ...badWindow, breach: { ...(badWindow.breach as object), samples: 'many' } } as never,
          ctx(),
        ),
      );
      expect(nested.message).toContain('breach.samples');
      expect(await h.storedCount()).toBe(0);
      expect(okValue(await h.sink.read('watch-e', ctx()))).toBeNull();
    });

    it('honours an aborted signal', async () => {
      expect(
        errorOf(await h.sink.write(auditRecordFixture('watch-f'), abortedContext(clock.now()))).code,
      ).toBe('ABORTED');
      expect(errorOf(await h.sink.read('watch-f', abortedContext(clock.now()))).code).toBe('ABORTED');
      expect(await h.storedCount()).toBe(0);
    });
  });
}
