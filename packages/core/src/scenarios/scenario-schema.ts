import { z } from 'zod';
import type { ControllerDecision } from '../machine/state-table';

/**
 * The `rollgate.scenario/v1` format (packages/testkit/scenarios/FORMAT.md): the telemetry of one
 * service around one deploy, one entry per step, plus the ground truth. The schema checks the
 * shapes (types, ranges) and then the cross-field rules a replay relies on: every series has one
 * entry per step, each histogram has one more entry than `latencyBucketsMs`, `deployAtStep`
 * leaves at least one bake step, errors never exceed requests, segments are subsets of the
 * totals, and the truth is consistent (`faultStartStep` is null exactly for `keep`, inside the
 * bake for `rollback`, before the deploy for `incident`).
 */

/** The value of the `schema` field. */
export const SCENARIO_SCHEMA_ID = 'rollgate.scenario/v1';

/** Prometheus client libraries' default histogram buckets, in milliseconds. */
export const PROMETHEUS_DEFAULT_BUCKETS_MS: readonly number[] = [
  5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
];

const NON_NEGATIVE_INTEGER = 'expected a non-negative integer';
const NON_NEGATIVE_NUMBER = 'expected a non-negative finite number';

const count = z
  .number({ error: NON_NEGATIVE_INTEGER })
  .int({ error: NON_NEGATIVE_INTEGER })
  .nonnegative({ error: NON_NEGATIVE_INTEGER });

const amount = z
  .number({ error: NON_NEGATIVE_NUMBER })
  .finite({ error: NON_NEGATIVE_NUMBER })
  .nonnegative({ error: NON_NEGATIVE_NUMBER });

const fraction = z
  .number({ error: 'expected a fraction between 0 and 1' })
  .min(0, { error: 'expected a fraction between 0 and 1' })
  .max(1, { error: 'expected a fraction between 0 and 1' });

const stepIndex = z
  .number({ error: 'expected a step index (non-negative integer)' })
  .int({ error: 'expected a step index (non-negative integer)' })
  .nonnegative({ error: 'expected a step index (non-negative integer)' });

const countSeries = z.array(count, { error: 'expected an array of non-negative integers' });
const amountSeries = z.array(amount, { error: 'expected an array of non-negative numbers' });
const p99Series = z.array(z.union([amount, z.null()], { error: 'expected a non-negative number or null' }), {
  error: 'expected an array of numbers or nulls',
});
const histogramSeries = z.array(z.array(count, { error: 'expected an array of bucket counts' }), {
  error: 'expected an array of per-step bucket-count arrays',
});

/**
 * The decision a perfect controller would reach on a scenario (its `truth.verdict`): one of the
 * scored decisions of `ControllerDecision`, never `escalate`.
 */
export const ExpectedDecisionSchema = z.enum(['rollback', 'keep', 'incident'] satisfies ControllerDecision[]);

/** Ground truth of a scenario. */
export const ScenarioTruthSchema = z.object({
  verdict: ExpectedDecisionSchema,
  faultStartStep: z.union([stepIndex, z.null()], { error: 'expected a step index or null' }),
  /** The failure surface that shows first, e.g. `error-rate`, `latency`, `resource`, `health`. */
  signal: z.string().optional(),
  note: z.string().optional(),
});

/** Per-step series of the whole service. The first four are required. */
export const ScenarioSeriesSchema = z.object({
  requests: countSeries,
  errors: countSeries,
  latencyP99Ms: p99Series,
  latencyHistogram: histogramSeries,
  cpuCores: amountSeries.optional(),
  memoryBytes: amountSeries.optional(),
  ready: z.array(fraction, { error: 'expected an array of fractions' }).optional(),
  restarts: countSeries.optional(),
});

/** Series of one segment (a subset of the traffic, included in the totals). */
export const SegmentSeriesSchema = z.object({
  requests: countSeries,
  errors: countSeries,
  latencyP99Ms: p99Series.optional(),
  latencyHistogram: histogramSeries.optional(),
});

const ScenarioShapeSchema = z.object({
  schema: z.literal(SCENARIO_SCHEMA_ID, { error: `expected "${SCENARIO_SCHEMA_ID}"` }),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
    error: 'expected a file-name-safe name (letters, digits, ".", "_", "-")',
  }),
  description: z.string().optional(),
  stepSeconds: z.number({ error: 'expected a positive number of seconds' }).finite().positive({
    error: 'expected a positive number of seconds',
  }),
  deployAtStep: stepIndex,
  truth: ScenarioTruthSchema,
  latencyBucketsMs: z
    .array(
      z
        .number({ error: 'expected a positive finite number of milliseconds' })
        .finite()
        .positive({ error: 'expected a positive finite number of milliseconds' }),
    )
    .min(1, { error: 'expected at least one bucket bound' }),
  series: ScenarioSeriesSchema,
  segments: z.record(z.string().min(1), SegmentSeriesSchema).optional(),
});

type Ctx = z.core.$RefinementCtx<z.infer<typeof ScenarioShapeSchema>>;

function issue(ctx: Ctx, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

function checkLength(ctx: Ctx, path: PropertyKey[], series: readonly unknown[] | undefined, steps: number) {
  if (series !== undefined && series.length !== steps) {
    issue(ctx, path, `expected ${steps} entries (one per step, as series.requests), got ${series.length}`);
  }
}

function checkCountsAndLatency(
  ctx: Ctx,
  base: PropertyKey[],
  s: {
    requests: number[];
    errors: number[];
    latencyP99Ms?: (number | null)[] | undefined;
    latencyHistogram?: number[][] | undefined;
  },
  buckets: number,
): void {
  const steps = s.requests.length;
  checkLength(ctx, [...base, 'errors'], s.errors, steps);
  checkLength(ctx, [...base, 'latencyP99Ms'], s.latencyP99Ms, steps);
  checkLength(ctx, [...base, 'latencyHistogram'], s.latencyHistogram, steps);
  const n = Math.min(steps, s.errors.length);
  for (let i = 0; i < n; i++) {
    const errors = s.errors[i] ?? 0;
    const requests = s.requests[i] ?? 0;
    if (errors > requests) {
      issue(ctx, [...base, 'errors', i], `${errors} errors exceed the ${requests} requests of that step`);
    }
  }
  if (s.latencyP99Ms) {
    const m = Math.min(steps, s.latencyP99Ms.length);
    for (let i = 0; i < m; i++) {
      if (s.requests[i] === 0 && s.latencyP99Ms[i] !== null) {
        issue(ctx, [...base, 'latencyP99Ms', i], 'expected null: the step has no requests');
      }
    }
  }
  if (s.latencyHistogram) {
    s.latencyHistogram.forEach((row, i) => {
      if (row.length !== buckets + 1) {
        issue(
          ctx,
          [...base, 'latencyHistogram', i],
          `expected ${buckets + 1} bucket counts (latencyBucketsMs has ${buckets}, plus +Inf), got ${row.length}`,
        );
      }
    });
  }
}

function checkScenario(value: z.infer<typeof ScenarioShapeSchema>, ctx: Ctx): void {
  const { series, truth } = value;
  const steps = series.requests.length;
  if (steps === 0) issue(ctx, ['series', 'requests'], 'expected at least one step');

  value.latencyBucketsMs.forEach((bound, i) => {
    const previous = value.latencyBucketsMs[i - 1];
    if (previous !== undefined && bound <= previous) {
      issue(
        ctx,
        ['latencyBucketsMs', i],
        `expected bucket bounds in increasing order (${bound} <= ${previous})`,
      );
    }
  });

  checkCountsAndLatency(ctx, ['series'], series, value.latencyBucketsMs.length);
  checkLength(ctx, ['series', 'cpuCores'], series.cpuCores, steps);
  checkLength(ctx, ['series', 'memoryBytes'], series.memoryBytes, steps);
  checkLength(ctx, ['series', 'ready'], series.ready, steps);
  checkLength(ctx, ['series', 'restarts'], series.restarts, steps);

  if (steps > 0 && value.deployAtStep >= steps) {
    issue(
      ctx,
      ['deployAtStep'],
      `expected a step before the last one (0..${steps - 1}): the bake window needs at least one step`,
    );
  }

  for (const [name, seg] of Object.entries(value.segments ?? {})) {
    const base = ['segments', name];
    checkLength(ctx, [...base, 'requests'], seg.requests, steps);
    checkCountsAndLatency(ctx, base, seg, value.latencyBucketsMs.length);
    const n = Math.min(steps, seg.requests.length);
    for (let i = 0; i < n; i++) {
      if ((seg.requests[i] ?? 0) > (series.requests[i] ?? 0)) {
        issue(ctx, [...base, 'requests', i], 'a segment cannot have more requests than the whole service');
      }
      if ((seg.errors[i] ?? 0) > (series.errors[i] ?? 0)) {
        issue(ctx, [...base, 'errors', i], 'a segment cannot have more errors than the whole service');
      }
    }
  }

  const start = truth.faultStartStep;
  if (truth.verdict === 'keep') {
    if (start !== null) issue(ctx, ['truth', 'faultStartStep'], 'expected null when the verdict is "keep"');
  } else if (start === null) {
    issue(
      ctx,
      ['truth', 'faultStartStep'],
      `expected the first bad step when the verdict is "${truth.verdict}"`,
    );
  } else if (truth.verdict === 'rollback') {
    if (start < value.deployAtStep || start >= steps) {
      issue(
        ctx,
        ['truth', 'faultStartStep'],
        `expected a step in the bake window [${value.deployAtStep}, ${steps - 1}] for a "rollback" verdict`,
      );
    }
  } else if (start >= value.deployAtStep) {
    issue(
      ctx,
      ['truth', 'faultStartStep'],
      `expected a step before deployAtStep (${value.deployAtStep}) for an "incident" verdict: the breach began before the deploy`,
    );
  }
}

/** The zod schema of one scenario file, with its cross-field rules. */
export const ScenarioSchema = ScenarioShapeSchema.superRefine(checkScenario);

/** A validated scenario. */
export type Scenario = z.infer<typeof ScenarioSchema>;
/** Ground truth of a scenario. */
export type ScenarioTruth = z.infer<typeof ScenarioTruthSchema>;
/** The per-step series of a scenario. */
export type ScenarioSeries = z.infer<typeof ScenarioSeriesSchema>;
/** The per-step series of one segment. */
export type SegmentSeries = z.infer<typeof SegmentSeriesSchema>;
/** `rollback` | `keep` | `incident`: what a scenario's ground truth expects. */
export type ExpectedDecision = z.infer<typeof ExpectedDecisionSchema>;
