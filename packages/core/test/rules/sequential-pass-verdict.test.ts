import { describe, expect, it } from 'vitest';
import type { SequentialRule } from '../../src/contract/contract-schema';
import { judgeSequential, startSequential, stepSequential } from '../../src/rules/sequential-count';
import { show, showRate } from '../../src/rules/verdict';
import { summarizeRateTest } from '../../src/stats';

/**
 * The pass verdict (stored at every step with its reason) is written out field by field and
 * the fixed parts of its reason (1/alpha, the baseline rate, the interval's level) are
 * formatted once per value (rules/sequential-count.ts). Its keys and text must stay what the
 * spread and the direct formatting wrote: a save stores those bytes.
 */

const rule = { test: 'baseline', tolerance: 1 } as unknown as SequentialRule;

function judgeAfter(alpha: number, events: number, steps: number, segment?: string) {
  let state = startSequential(rule, { status: 'ok', events, trials: 20_000, dispersion: 1.3 }, alpha);
  if (state === null) throw new Error('the test did not start');
  for (let i = 0; i < steps; i++) state = stepSequential(state, { events: i % 3, trials: 300 + i }, null);
  const verdict = judgeSequential(state, {
    signal: 'errors',
    ...(segment === undefined ? {} : { segment }),
    window: { start: 0, end: 5_000 },
    samples: 10_000,
    newestT: 5_000,
    now: 5_000,
    maxLagMs: 60_000,
    minSamples: 1,
    what: 'error rate',
    unavailable: null,
  });
  return { verdict, summary: summarizeRateTest(state) };
}

describe('sequential pass verdict', () => {
  for (const alpha of [0.01, 0.05, 0.0025]) {
    for (const segment of [undefined, 'eu-west']) {
      it(`keeps its keys and its reason's text (alpha ${alpha}, segment ${segment ?? 'none'})`, () => {
        for (const steps of [1, 5, 20, 5]) {
          const { verdict, summary } = judgeAfter(alpha, 60 + steps, steps, segment);
          expect(verdict.status).toBe('pass');
          expect(Object.keys(verdict)).toEqual([
            'signal',
            'rule',
            ...(segment === undefined ? [] : ['segment']),
            'window',
            'samples',
            'status',
            'value',
            'threshold',
            'statistic',
            'reason',
          ]);
          const interval = summary.ratioInterval;
          const ratio =
            summary.ratioEstimate === null
              ? ''
              : ` (ratio ${show(summary.ratioEstimate)}x${interval ? `, ${show(interval.level * 100)}% CS [${show(interval.lower)}, ${show(interval.upper)}]` : ''})`;
          expect(verdict.reason).toBe(
            `error rate ${showRate(summary.rate)} of ${show(summary.trials)} vs baseline ${showRate(summary.baselineRate)}${ratio}: e-value ${show(Math.exp(summary.logE))} < 1/alpha ${show(Math.exp(summary.logThreshold))}`,
          );
        }
      });
    }
  }
});
