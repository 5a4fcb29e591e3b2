import { describe, expect, it } from 'vitest';
import { sanitize } from '../../src/evaluation/signal-reader';
import type { ReadResult } from '../../src/ports/metric-source';
import { world } from '../machine/world';

/**
 * Issue 18, finding 3: a backend reply flagged as partial (Prometheus `warnings`, e.g. Thanos
 * or Mimir with a store gateway down) gave pass verdicts, and a good release was promoted with
 * a signed verification. Partial data is no evidence: the read is a `SOURCE_PARTIAL_DATA` error
 * carrying the warnings, which the audit and `--json` record.
 */

const WARNING = 'partial response: store gateway down';
const requests = { measure: 'requests' as const, selector: {} };

describe('a read the backend flagged as partial', () => {
  it('is a SOURCE_PARTIAL_DATA error carrying the warnings, whatever the samples say', () => {
    const result = sanitize(
      { status: 'ok', series: [{ labels: {}, samples: [{ t: 1000, v: 100 }] }], partial: [WARNING] },
      requests,
    );
    expect(result.status).toBe('error');
    if (result.status !== 'error') return;
    expect(result.error.code).toBe('SOURCE_PARTIAL_DATA');
    expect(result.error.retryable).toBe(true);
    expect(result.error.message).toContain(WARNING);
    expect(result.error.details.warnings).toEqual([WARNING]);
  });

  it('is an error too when it came back empty: an empty events read would count as zero errors', () => {
    const result = sanitize({ status: 'no-data', reason: 'no series', partial: [WARNING] }, requests);
    expect(result.status === 'error' && result.error.code).toBe('SOURCE_PARTIAL_DATA');
  });

  it('keeps a reply without partial warnings (or with an empty list) as it was', () => {
    const ok: ReadResult = {
      status: 'ok',
      series: [{ labels: {}, samples: [{ t: 1000, v: 100 }] }],
      partial: [],
    };
    expect(sanitize(ok, requests).status).toBe('ok');
    expect(sanitize({ status: 'no-data', reason: 'none' }, requests).status).toBe('no-data');
  });

  it('bounds what it keeps of many or long warnings', () => {
    const many = Array.from({ length: 50 }, (_, i) => `warning ${i} ${'x'.repeat(2000)}`);
    const result = sanitize(
      { status: 'ok', series: [{ labels: {}, samples: [{ t: 1, v: 1 }] }], partial: many },
      requests,
    );
    if (result.status !== 'error') throw new Error('expected an error');
    const kept = result.error.details.warnings as string[];
    expect(kept.length).toBeLessThanOrEqual(5);
    expect(kept.every((w) => w.length <= 500)).toBe(true);
    expect(result.error.message.length).toBeLessThan(2000);
  });
});

describe('informational warnings are not partial data', () => {
  it('a readiness read with container problems as warnings (the Kubernetes pod source) still breaches', () => {
    const result = sanitize(
      {
        status: 'ok',
        series: [{ labels: {}, samples: [{ t: 1000, v: 0.5 }] }],
        warnings: ['CrashLoopBackOff: pod web-5d8f7-x2c9q container app (waiting, 4 restarts)'],
      },
      { measure: 'ready', selector: {} },
    );
    expect(result.status).toBe('ok');
  });
});

describe('a watch whose every reply is partial', () => {
  it('never promotes a healthy release, records no verification, and the audit keeps the warnings', async () => {
    const w = world();
    const read = w.source.read.bind(w.source);
    w.source.read = async (request, ctx) => {
      const result = await read(request, ctx);
      return result.status === 'error' ? result : { ...result, partial: [WARNING] };
    };
    const result = await w.watch();
    expect(result.outcome).not.toBe('promoted');
    expect(result.outcome).toBe('escalated');
    const record = w.audit.records[0];
    expect(record?.verification).toBeNull();
    const listed = await w.artifacts.list('checkout', {
      signal: new AbortController().signal,
      deadline: Number.POSITIVE_INFINITY,
    });
    // Only the seeded v1: nothing was verified for v2.
    expect(listed.ok && listed.value.map((r) => r.record.artifact.id)).toEqual(['v1']);
    const readings = record?.finalReadings ?? [];
    expect(readings.length).toBeGreaterThan(0);
    expect(readings.every((v) => v.status === 'error' && v.error?.code === 'SOURCE_PARTIAL_DATA')).toBe(true);
    expect(readings[0]?.error?.details?.warnings).toEqual([WARNING]);
    const points = Object.values(record?.series ?? {}).flat();
    expect(points.length).toBeGreaterThan(0);
    expect(points.filter((p) => p.status === 'error').every((p) => p.warnings?.includes(WARNING))).toBe(true);
  });
});
