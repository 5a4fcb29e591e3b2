import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BaselineSnapshot,
  baselineSeries,
  type SignalBaseline,
  shareTimeColumns,
} from '../../src/evaluation/watch-state';
import { decodeBaseline, encodeBaseline } from '../../src/machine/stored-watch-state';

/**
 * A watch's baseline keeps one time column for the chart series of its signals that are binned
 * on the same grid (evaluation/watch-state.ts `shareTimeColumns`): the same snapshot read as
 * JSON, field for field, with fewer arrays.
 */

const T0 = 1_700_000_000_000;

function signal(times: readonly number[], values: readonly (number | null)[], kind: 'rate' | 'level') {
  return {
    status: 'ok',
    value: 0.01,
    samples: times.length,
    reason: 'median of the pre-deploy window',
    series: baselineSeries(
      kind,
      times.map((t, i) => ({ t, v: values[i] ?? null })),
    ),
  } as unknown as SignalBaseline;
}

function snapshot(signals: Record<string, SignalBaseline>): BaselineSnapshot {
  return { takenAt: T0, window: { start: T0 - 600_000, end: T0 }, signals };
}

const grid = (n: number, step = 10_000) => Array.from({ length: n }, (_, i) => T0 - (n - i) * step);

describe('shared time columns of a baseline', () => {
  it('shares one column among the signals with equal times, and keeps a different one apart', () => {
    const b = snapshot({
      errors: signal(
        grid(60),
        grid(60).map((_, i) => i / 100),
        'rate',
      ),
      latency: signal(
        grid(60),
        grid(60).map(() => 0.2),
        'rate',
      ),
      memory: signal(
        grid(59),
        grid(59).map(() => 3e8),
        'level',
      ),
      health: signal(
        grid(60),
        grid(60).map(() => null),
        'level',
      ),
      none: { status: 'error', reason: 'read failed' } as unknown as SignalBaseline,
    });
    const shared = shareTimeColumns(b);
    const t = (id: string) => shared.signals[id]?.series?.t;
    expect(t('latency')).toBe(t('errors'));
    expect(t('health')).toBe(t('errors'));
    expect(t('memory')).not.toBe(t('errors'));
    // The same snapshot, key for key: only the arrays behind it are fewer.
    expect(JSON.stringify(shared)).toBe(JSON.stringify(b));
    expect(Object.keys(shared.signals)).toEqual(Object.keys(b.signals));
    // Nothing left to share: the same object back.
    expect(shareTimeColumns(shared)).toBe(shared);
    const single = snapshot({ memory: b.signals.memory as SignalBaseline });
    expect(shareTimeColumns(single)).toBe(single);
  });

  it('property: shares only equal columns, reads as before, and a saved baseline loads shared', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ n: fc.integer({ min: 0, max: 8 }), step: fc.constantFrom(5_000, 10_000) }), {
          minLength: 1,
          maxLength: 5,
        }),
        (shapes) => {
          const signals: Record<string, SignalBaseline> = {};
          shapes.forEach((s, k) => {
            signals[`s${k}`] = signal(
              grid(s.n, s.step),
              grid(s.n, s.step).map((_, i) => i),
              'level',
            );
          });
          const b = snapshot(signals);
          const shared = shareTimeColumns(b);
          expect(JSON.stringify(shared)).toBe(JSON.stringify(b));
          const ids = Object.keys(signals);
          for (const a of ids) {
            for (const c of ids) {
              const ta = shared.signals[a]?.series?.t as number[];
              const tc = shared.signals[c]?.series?.t as number[];
              // One array exactly when the times are equal.
              expect(ta === tc).toBe(JSON.stringify(ta) === JSON.stringify(tc));
            }
          }
          // Saved and loaded: the same text, the columns shared as the evaluator keeps them.
          const loaded = decodeBaseline(
            JSON.parse(JSON.stringify(encodeBaseline(shared))),
            (m) => new Error(m),
          );
          expect(JSON.stringify(loaded)).toBe(JSON.stringify(b));
          const l = loaded as BaselineSnapshot;
          for (const a of ids) {
            for (const c of ids) {
              const same =
                JSON.stringify(l.signals[a]?.series?.t) === JSON.stringify(l.signals[c]?.series?.t);
              expect(l.signals[a]?.series?.t === l.signals[c]?.series?.t).toBe(same);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
