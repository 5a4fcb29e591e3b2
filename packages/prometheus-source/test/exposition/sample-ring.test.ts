import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SampleRing } from '../../src/exposition/sample-ring';

describe('SampleRing', () => {
  it('answers the value in force at a time, like an instant vector selector', () => {
    const ring = new SampleRing(10);
    ring.push(1_000, 1);
    ring.push(2_000, 2);
    ring.markStale(3_000);
    ring.push(4_000, 4);
    expect(ring.valueAt(999, 300_000)).toBeUndefined();
    expect(ring.valueAt(1_000, 300_000)).toBe(1);
    expect(ring.valueAt(1_999, 300_000)).toBe(1);
    expect(ring.valueAt(2_500, 300_000)).toBe(2);
    expect(ring.valueAt(3_500, 300_000)).toBeUndefined(); // stale: the series had gone
    expect(ring.valueAt(4_000, 300_000)).toBe(4);
    expect(ring.valueAt(4_600, 500)).toBeUndefined(); // older than the lookback
  });

  it('replaces an entry at the same time and ignores one older than the newest', () => {
    const ring = new SampleRing(4);
    ring.push(1_000, 1);
    ring.push(1_000, 5);
    ring.push(500, 9);
    expect(ring.size).toBe(1);
    expect(ring.valueAt(1_000, 1_000)).toBe(5);
  });

  it('never holds more than its capacity, keeps the newest entries in order, and grows lazily', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.integer({ min: 0, max: 1_000 }), (capacity, n) => {
        const ring = new SampleRing(capacity);
        expect(ring.allocated).toBeLessThanOrEqual(Math.min(capacity, 64));
        for (let i = 0; i < n; i++) {
          if (i % 7 === 3) ring.markStale(i * 10);
          else ring.push(i * 10, i);
        }
        expect(ring.size).toBe(Math.min(n, capacity));
        expect(ring.allocated).toBeLessThanOrEqual(capacity);
        // Every kept value is still found; everything older is gone.
        const firstKept = n - Math.min(n, capacity);
        for (let i = firstKept; i < n; i++) {
          const expected = i % 7 === 3 ? undefined : i;
          expect(ring.valueAt(i * 10, 1e9)).toBe(expected);
        }
        if (firstKept > 0) expect(ring.valueAt((firstKept - 1) * 10, 1e9)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
