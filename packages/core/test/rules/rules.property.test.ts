import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateBaselineRatio } from '../../src/rules/baseline-ratio';
import { checkDataQuality } from '../../src/rules/data-quality';
import { evaluateHealth } from '../../src/rules/health-check';
import { evaluateRateOfChange } from '../../src/rules/rate-of-change';
import { evaluateStaticRange } from '../../src/rules/static-range';
import { arbAwkwardNumber } from '../../src/testing/arbitraries';

const window = { start: 0, end: 60_000 };
const points = fc.array(
  fc.record({ t: fc.integer({ min: 0, max: 600_000 }), v: fc.double({ min: -1e9, max: 1e10, noNaN: true }) }),
  {
    maxLength: 40,
  },
);

describe('rule properties', () => {
  it('verdicts do not depend on sample order within a window', () => {
    fc.assert(
      fc.property(points, fc.double({ min: 1e6, max: 1e10, noNaN: true }), (pts, baseline) => {
        const rule = {
          type: 'rate-of-change' as const,
          limitFromBaseline: 2,
          horizonSeconds: 3600,
          maxPValue: 1e-4,
        };
        const a = evaluateRateOfChange(rule, { signal: 'm', points: pts, window, baseline, unit: '' });
        const shuffled = [...pts].reverse();
        const b = evaluateRateOfChange(rule, { signal: 'm', points: shuffled, window, baseline, unit: '' });
        expect(b.status).toBe(a.status);
        if (a.value !== null && b.value !== null) expect(b.value).toBeCloseTo(a.value, 3);
        const health = { type: 'health' as const, minReady: 1, maxRestarts: 0 };
        const sorted = [...pts].sort((x, y) => x.t - y.t);
        expect(evaluateHealth(health, { signal: 'h', ready: sorted, restarts: 0, window }).status).toBe(
          evaluateHealth(health, { signal: 'h', ready: [...sorted], restarts: 0, window }).status,
        );
      }),
    );
  });

  it('tightening a threshold never turns a breach into a pass', () => {
    fc.assert(
      fc.property(
        arbAwkwardNumber(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (v, max, tighten) => {
          if (Number.isNaN(v)) return;
          const input = { signal: 's', value: v, samples: 100, window, unit: '' };
          const loose = evaluateStaticRange({ type: 'static', max }, input);
          const tight = evaluateStaticRange({ type: 'static', max: max - tighten }, input);
          if (loose.status === 'breach') expect(tight.status).toBe('breach');
          const looseMin = evaluateStaticRange({ type: 'static', min: max }, input);
          const tightMin = evaluateStaticRange({ type: 'static', min: max + tighten }, input);
          if (looseMin.status === 'breach') expect(tightMin.status).toBe('breach');
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 1.01, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (v, baseline, ratio, tighten) => {
          const input = { signal: 's', value: v, samples: 100, window, unit: '' };
          const loose = evaluateBaselineRatio(
            { type: 'baseline-ratio', maxRatio: ratio + tighten, minDelta: 0 },
            input,
            baseline,
          );
          const tight = evaluateBaselineRatio(
            { type: 'baseline-ratio', maxRatio: ratio, minDelta: 0 },
            input,
            baseline,
          );
          if (loose.status === 'breach') expect(tight.status).toBe('breach');
        },
      ),
    );
  });

  it('with fewer samples than the floor the verdict is no-data', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        (samples, floor) => {
          const v = checkDataQuality({
            signal: 's',
            rule: 'static',
            window,
            samples,
            newestT: 59_000,
            now: 60_000,
            maxLagMs: 30_000,
            minSamples: floor,
          });
          if (samples < floor) expect(v?.status).toBe('no-data');
          else expect(v).toBeNull();
        },
      ),
    );
  });

  it('rules never throw and never produce NaN values on arbitrary input', () => {
    fc.assert(
      fc.property(arbAwkwardNumber(), arbAwkwardNumber(), arbAwkwardNumber(), (v, bound, baseline) => {
        const input = { signal: 's', value: v, samples: 1, window, unit: '' };
        for (const verdict of [
          evaluateStaticRange({ type: 'static', max: Number.isFinite(bound) ? bound : 0 }, input),
          evaluateBaselineRatio({ type: 'baseline-ratio', maxRatio: 2, minDelta: 0 }, input, baseline),
          evaluateRateOfChange(
            { type: 'rate-of-change', limitFromBaseline: 2, horizonSeconds: 60, maxPValue: 1e-4 },
            {
              signal: 'm',
              points: [
                { t: 0, v },
                { t: 1, v: bound },
                { t: 2, v: baseline },
              ],
              window,
              baseline,
              unit: '',
            },
          ),
        ]) {
          expect(['pass', 'breach', 'no-data', 'error']).toContain(verdict.status);
          expect(typeof verdict.reason).toBe('string');
        }
      }),
    );
  });
});
