import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultSignals } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import type { Evaluation } from '../../src/evaluation/evaluator';
import type { SignalSummary } from '../../src/evaluation/watch-state';
import { ChartColumns } from '../../src/machine/audit/chart-columns';
import { isoMillis, recordEvaluation } from '../../src/machine/audit/chart-series';
import { controlRequestKey, pendingControlRequests } from '../../src/machine/control-requests';
import type { MachineEvent, MachineSnapshot } from '../../src/machine/machine-state';
import { evaluateAt, iso, issue } from '../../src/machine/machine-steps';
import { startWatch, transition } from '../../src/machine/rollback-machine';
import { finiteOrNull, partialReadWarnings, type Verdict } from '../../src/rules/verdict';
import { createMemoryStateStore } from '../../src/testing/memory-state-store';

/**
 * The tick path's shortcuts (docs/architecture.md, "The tick's path"; docs/benchmarks.md,
 * "tick14-issue-13") against the code they replaced, over random inputs.
 */

/** recordEvaluation as it was before the tick14 change: the ISO text and its parse at every evaluation. */
function recordEvaluationBefore(s: MachineSnapshot, evaluation: Evaluation): MachineSnapshot {
  const series: Record<string, ChartColumns> = { ...s.series };
  const at = iso(evaluation.at);
  const t = Date.parse(at);
  for (const summary of evaluation.signals) {
    const v = summary.verdicts.find((x) => x.segment === undefined) ?? summary.verdicts[0];
    if (!v) continue;
    const before = series[summary.signal] ?? ChartColumns.EMPTY;
    const warnings = partialReadWarnings(summary.verdicts);
    const statistic = v.statistic ? { statistic: finiteOrNull(v.statistic.value) } : {};
    const fields = {
      phase: evaluation.purpose,
      rule: v.rule,
      status: v.status,
      value: finiteOrNull(v.value),
      threshold: finiteOrNull(v.threshold),
      ...statistic,
    };
    const points =
      warnings.warnings === undefined
        ? before.appendFields({ t, ...fields })
        : before.append({ at, ...fields, ...warnings });
    series[summary.signal] = points.length > 2_000 ? points.newest(2_000) : points;
  }
  return { ...s, series, lastDecision: evaluation.decision };
}

const number = fc.oneof(
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -0, 1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);

const verdict: fc.Arbitrary<Verdict> = fc
  .record({
    signal: fc.constantFrom('error-rate', 'memory'),
    rule: fc.option(fc.constantFrom('sequential', 'static', 'rate-of-change'), { nil: undefined }),
    status: fc.constantFrom('pass', 'breach', 'no-data', 'error'),
    value: number,
    threshold: number,
    segment: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
    statistic: fc.option(fc.record({ name: fc.constant('logE'), value: number }), { nil: undefined }),
    partial: fc.option(fc.array(fc.constantFrom('w1', 'w2', 'w3'), { maxLength: 3 }), { nil: undefined }),
  })
  .map(({ partial, rule, segment, statistic, ...v }) => ({
    ...v,
    reason: 'r',
    ...(rule === undefined ? {} : { rule }),
    ...(segment === undefined ? {} : { segment }),
    ...(statistic === undefined ? {} : { statistic }),
    ...(partial === undefined
      ? {}
      : {
          error: {
            code: 'SOURCE_PARTIAL_DATA',
            message: 'partial',
            retryable: false,
            details: { warnings: partial },
          },
        }),
  })) as unknown as fc.Arbitrary<Verdict>;

const evaluationAt = (at: number, signals: { signal: string; verdicts: Verdict[] }[]): Evaluation =>
  ({
    at,
    purpose: 'bake',
    deployAt: 0,
    elapsedSeconds: 0,
    remainingSeconds: 0,
    warmingUp: false,
    signals: signals as unknown as SignalSummary[],
    decision: { type: 'continue', reason: 'x' },
  }) as unknown as Evaluation;

const snapshotOf = (series: Record<string, ChartColumns>): MachineSnapshot =>
  ({ state: 'Watching', series, lastDecision: null }) as unknown as MachineSnapshot;

describe('isoMillis', () => {
  it('is Date.parse(iso(ms)) for any number: the same value, or the same RangeError', () => {
    const extremes = fc.constantFrom(8.64e15, -8.64e15, 8.64e15 + 1, -8.64e15 - 1, -0.5, 0.999, -1e-300);
    fc.assert(
      fc.property(fc.oneof(number, extremes, fc.integer()), (ms) => {
        let expected: number | string;
        try {
          expected = Date.parse(iso(ms));
        } catch (error) {
          expected = String(error);
        }
        let actual: number | string;
        try {
          actual = isoMillis(ms);
        } catch (error) {
          actual = String(error);
        }
        expect(Object.is(actual, expected)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('recordEvaluation', () => {
  it('appends the same points, in the same form, as the code it replaced', () => {
    const step = fc.record({
      at: fc.oneof(fc.integer({ min: 0, max: 4e12 }), fc.double({ min: 0, max: 4e12, noNaN: true })),
      signals: fc.array(
        fc.record({
          signal: fc.constantFrom('error-rate', 'memory', 'health'),
          verdicts: fc.array(verdict, { maxLength: 3 }),
        }),
        { maxLength: 4 },
      ),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), (steps) => {
        let after = snapshotOf({});
        let before = snapshotOf({});
        for (const { at, signals } of steps) {
          after = recordEvaluation(after, evaluationAt(at, signals));
          before = recordEvaluationBefore(before, evaluationAt(at, signals));
          expect(JSON.stringify(after)).toBe(JSON.stringify(before));
          expect(Object.keys(after.series)).toEqual(Object.keys(before.series));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('pendingControlRequests', () => {
  it('answers an empty listing with no requests and no problems, and a stored request still', async () => {
    const state = createMemoryStateStore();
    const ctx = { signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY };
    const empty = await pendingControlRequests(state, { watchId: 'w1' }, ctx);
    expect(empty.ok && empty.value).toEqual({ requests: [], problems: [] });
    const request = {
      id: '0000000000005-abort-x',
      watchId: 'w1',
      action: 'abort',
      actor: 'a',
      reason: '',
      requestedAt: 5,
    };
    await state.save(controlRequestKey('w1', request.id), request, ctx);
    const found = await pendingControlRequests(state, { watchId: 'w1' }, ctx);
    expect(found.ok && found.value.requests).toEqual([request]);
    // The shared empty answer was not changed by the listing that found one.
    expect(empty.ok && empty.value.requests).toEqual([]);
  });
});

describe('transition of an evaluation that continues the watch', () => {
  const DEPLOY_AT = 1_700_000_000_000;
  const contract = parseContract({
    service: 'checkout',
    stepSeconds: 5,
    bakeSeconds: 3600,
    signals: defaultSignals(),
  });
  const started = startWatch({
    watchId: 'w',
    contract,
    deploy: { artifactId: 'v2', deployedAt: DEPLOY_AT },
    options: { dryRun: false, cooldownSeconds: 3600, settleMs: 0, weights: null, bakeSecondsPerStep: null },
    guard: { lastRollback: null },
    now: DEPLOY_AT,
  }).snapshot;
  const watching = transition(
    started,
    { type: 'current-identified', at: DEPLOY_AT, artifact: { id: 'v2' } },
    contract,
  ).snapshot;

  /** The transition as it was: a copy for the pending command, the watch state, the chart point, the next command. */
  function continuedBefore(s: MachineSnapshot, event: Extract<MachineEvent, { type: 'evaluated' }>) {
    const popped = { ...s, pending: s.pending.slice(1) };
    const which = s.state === 'Verifying' ? 'verify' : 'bake';
    const base = recordEvaluation(
      which === 'bake' ? { ...popped, bake: event.watch } : { ...popped, verify: event.watch },
      event.evaluation,
    );
    return issue(base, [evaluateAt(which, event.watch, event.at, s.options.settleMs, contract)]);
  }

  it('gives the snapshot, key order and commands of the copies it replaced, in a bake and a verification', () => {
    const step = fc.record({
      signals: fc.array(
        fc.record({
          signal: fc.constantFrom('error-rate', 'memory'),
          verdicts: fc.array(verdict, { maxLength: 2 }),
        }),
        { maxLength: 3 },
      ),
      verifying: fc.boolean(),
      noLastDecision: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), (steps) => {
        let now = DEPLOY_AT;
        let s: MachineSnapshot = watching;
        for (const { signals, verifying, noLastDecision } of steps) {
          now += 5_000;
          let from: MachineSnapshot = verifying
            ? {
                ...s,
                state: 'Verifying',
                verify: { ...s.bake, purpose: 'verify' },
                pending: [{ type: 'evaluate', watch: 'verify', at: now }],
              }
            : { ...s, state: 'Watching', pending: [{ type: 'evaluate', watch: 'bake', at: now }] };
          if (noLastDecision) {
            const { lastDecision: _, ...rest } = from;
            from = rest as MachineSnapshot;
          }
          const watch = verifying ? (from.verify ?? from.bake) : from.bake;
          const event = {
            type: 'evaluated' as const,
            at: now,
            watch: { ...watch, lastEvaluatedAt: now },
            evaluation: evaluationAt(now, signals),
          };
          const after = transition(from, event, contract);
          // The copy path was taken: the watch moved on (an ignored event leaves the snapshot as it was).
          expect(after.snapshot).not.toBe(from);
          const before = continuedBefore(from, event);
          expect(Object.keys(after.snapshot)).toEqual(Object.keys(before.snapshot));
          expect(JSON.stringify(after.snapshot)).toBe(JSON.stringify(before.snapshot));
          expect(after.commands).toEqual(before.commands);
          s = after.snapshot;
        }
      }),
      { numRuns: 150 },
    );
  });
});
