import { z } from 'zod';
import { SIGNAL_KIND_TABLE, SIGNAL_KINDS, type SignalKind } from '../signals/signal-kinds';

/**
 * The contract: a JSON-serialisable description of what "healthy" means for one service — its
 * signals, the rules each is judged by, and the policy that turns verdicts into decisions.
 * Every field has a default except `service` and `signals`; `defaultContract()` fills in the
 * four standard signals.
 */

/**
 * The bounds of every number in a contract: wide enough for any real deploy, narrow enough that
 * no value floods the metrics backend with reads, overflows a timer or makes a watch that never
 * ends. docs/config.md lists them; a value outside is `CONFIG_INVALID` naming the range.
 */
export const CONTRACT_LIMITS = {
  /** Evaluation cadence: one read per query per step, so below 1 s the backend is flooded. */
  stepSeconds: { min: 1, max: 3_600 },
  bakeSeconds: { max: 604_800 },
  warmupSeconds: { max: 86_400 },
  coldStartSeconds: { max: 86_400 },
  baselineSeconds: { max: 86_400 },
  /** Steps of the baseline window (`baselineSeconds / stepSeconds`): each is a sample read once. */
  baselineSteps: 10_000,
  /** Steps of a rule window (`windowSeconds / stepSeconds`): re-read at every evaluation. */
  windowSteps: 1_000,
  /** Below 1e-6 no realistic deploy gathers the evidence to reject; above 0.25 it is a coin toss. */
  alpha: { min: 1e-6, max: 0.25 },
  maxLagSeconds: { max: 86_400 },
  windowSeconds: { max: 86_400 },
  sustainEvaluations: { max: 1_000 },
  sustainSeconds: { max: 86_400 },
  minSamples: { max: 1e9 },
  latencyBucketMs: { max: 3_600_000 },
  latencyBuckets: { max: 100 },
  maxRatio: { max: 1e6 },
  tolerance: { max: 1_000 },
  ratios: { max: 20 },
  horizonSeconds: { max: 2_592_000 },
  maxPValue: { min: 1e-12 },
  maxRestarts: { max: 1e6 },
  maxConsecutiveErrors: { max: 1_000 },
  extendSeconds: { max: 86_400 },
  maxExtensions: { max: 100 },
  verificationSeconds: { max: 86_400 },
  progressiveWeights: { max: 100 },
  bakeSecondsPerStep: { max: 86_400 },
} as const;

/** Seconds from `min` (default 0) to `max`. */
const seconds = (what: string, max: number, min = 0) =>
  z
    .number({ error: `${what} must be a number of seconds` })
    .min(min, { error: `${what} must be from ${min} to ${max} seconds` })
    .max(max, { error: `${what} must be from ${min} to ${max} seconds` });

/** Seconds above 0, at most `max`. */
const positiveSeconds = (what: string, max: number) =>
  z
    .number({ error: `${what} must be a number of seconds` })
    .positive({ error: `${what} must be more than 0 seconds (at most ${max})` })
    .max(max, { error: `${what} must be at most ${max} seconds` });

/** A whole number from `min` to `max`. */
const count = (what: string, min: number, max: number) =>
  z
    .number({ error: `${what} must be a whole number` })
    .int({ error: `${what} must be a whole number from ${min} to ${max}` })
    .min(min, { error: `${what} must be a whole number from ${min} to ${max}` })
    .max(max, { error: `${what} must be a whole number from ${min} to ${max}` });

/** A number from `min` to `max`, both included. */
const between = (what: string, min: number, max: number) =>
  z
    .number({ error: `${what} must be a number` })
    .min(min, { error: `${what} must be from ${min} to ${max}` })
    .max(max, { error: `${what} must be from ${min} to ${max}` });

const probability = (what: string) =>
  z
    .number({ error: `${what} must be a probability between 0 and 1` })
    .gt(0, { error: `${what} must be more than 0 (and less than 1)` })
    .lt(1, { error: `${what} must be less than 1 (and more than 0)` });

const id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
  error: 'must be 1-63 characters of a-z, 0-9, ".", "_", "-", starting with a letter or digit',
});

/** Equality label matchers; values are escaped by each source. */
export const SelectorSchema = z.record(z.string().min(1), z.string());

/** Breach when the signal's window value is outside [min, max]. */
export const StaticRuleSchema = z.strictObject({
  type: z.literal('static'),
  min: z.number({ error: 'min must be a number' }).optional(),
  max: z.number({ error: 'max must be a number' }).optional(),
});

/**
 * Breach when the window value exceeds `maxRatio` times the pre-deploy snapshot (and, when
 * set, by more than `minDelta` in absolute terms, so 0.01% -> 0.03% is not a "3x" breach).
 */
export const BaselineRatioRuleSchema = z.strictObject({
  type: z.literal('baseline-ratio'),
  maxRatio: z
    .number({ error: 'maxRatio must be a number' })
    .gt(1, { error: 'maxRatio must be more than 1 (a ratio over the baseline)' })
    .max(CONTRACT_LIMITS.maxRatio.max, { error: `maxRatio must be at most ${CONTRACT_LIMITS.maxRatio.max}` }),
  minDelta: z
    .number({ error: 'minDelta must be a number' })
    .nonnegative({ error: 'minDelta must be 0 or more' })
    .default(0),
});

/**
 * An anytime-valid sequential test on event counts per step (errors of requests, or requests
 * slower than a latency threshold fixed before the deploy). `baseline`: against the pre-deploy
 * window; `sprt`: against a known rate `p0` (an SLO) with alternative `p1`; `concurrent`:
 * against a stable fleet read with `stableSelector` in the same intervals.
 */
export const SequentialRuleSchema = z.strictObject({
  type: z.literal('sequential'),
  test: z.enum(['baseline', 'sprt', 'concurrent']).default('baseline'),
  /** H0 is "rate <= tolerance x baseline": ignore relative drifts smaller than this. */
  tolerance: between('tolerance', 1, CONTRACT_LIMITS.tolerance.max).default(1),
  p0: probability('p0').optional(),
  p1: probability('p1').optional(),
  stableSelector: SelectorSchema.optional(),
  ratios: z
    .array(
      z
        .number({ error: 'each ratio must be a number' })
        .gt(1, { error: 'each ratio must be more than 1' })
        .max(CONTRACT_LIMITS.maxRatio.max, {
          error: `each ratio must be at most ${CONTRACT_LIMITS.maxRatio.max}`,
        }),
    )
    .min(1, { error: 'ratios needs at least one ratio, or remove it' })
    .max(CONTRACT_LIMITS.ratios.max, { error: `ratios holds at most ${CONTRACT_LIMITS.ratios.max} ratios` })
    .optional(),
  /**
   * Steps whose traffic is far above anything the baseline saw (a load surge): `hold` keeps them
   * from the test (load alone slows requests, so the version is judged on the load the baseline
   * knows); a number >= 1 tests them with the tolerance multiplied by it (load may raise the
   * rate that much; 1 tests them like any step). Default: `hold` for latency, 2 for error rate
   * (a retry storm from a failing version raises traffic too: its errors must still count).
   * Concurrent tests compare with a stable fleet under the same load and ignore it.
   */
  loadSurge: z
    .union(
      [
        z.literal('hold'),
        z
          .number()
          .min(1, { error: 'loadSurge must be at least 1 (1 tests surge steps like any other)' })
          .max(100, { error: 'loadSurge must be at most 100' }),
      ],
      { error: "loadSurge must be 'hold' or a tolerance factor from 1 to 100" },
    )
    .optional(),
});

/**
 * Rate of change of a resource (least-squares slope over the window) and the projected time to
 * a limit. The limit is `limit` (absolute, e.g. the container memory limit in bytes) or
 * `limitFromBaseline` times the pre-deploy level.
 */
export const RateOfChangeRuleSchema = z.strictObject({
  type: z.literal('rate-of-change'),
  limit: z
    .number({ error: 'limit must be a number' })
    .positive({ error: 'limit must be more than 0' })
    .optional(),
  limitFromBaseline: z
    .number({ error: 'limitFromBaseline must be a number' })
    .gt(1, { error: 'limitFromBaseline must be more than 1 (a multiple of the pre-deploy level)' })
    .max(CONTRACT_LIMITS.maxRatio.max, {
      error: `limitFromBaseline must be at most ${CONTRACT_LIMITS.maxRatio.max}`,
    })
    .default(2),
  /** Breach when the limit would be reached within this many seconds. */
  horizonSeconds: positiveSeconds('horizonSeconds', CONTRACT_LIMITS.horizonSeconds.max).default(3600),
  /**
   * The slope must be significant: the one-sided p-value of its t-test (n - 2 degrees of
   * freedom, so a short window needs a much larger t) at most this. The rule is checked at every
   * step, so the default is strict: noise is not a trend.
   */
  maxPValue: z
    .number({ error: 'maxPValue must be a probability' })
    .min(CONTRACT_LIMITS.maxPValue.min, {
      error: `maxPValue must be at least ${CONTRACT_LIMITS.maxPValue.min} (and less than 1)`,
    })
    .lt(1, { error: 'maxPValue must be less than 1' })
    .default(1e-4),
  /**
   * How long growth must have been watched before it counts, as a share of the projected time
   * to the limit, at least 180 s (120 s for steady growth reaching the limit within 10 minutes)
   * and at most 300 s or the signal's window: with the default 0.1, a leak that fills the limit
   * in an hour must hold 300 s, one that fills it in 40 minutes 240 s (docs/statistics.md).
   */
  sustainShare: z
    .number({ error: 'sustainShare must be a number' })
    .min(0, { error: 'sustainShare must be at least 0 (0: no sustain in time)' })
    .max(1, { error: 'sustainShare must be at most 1 (the whole time to the limit)' })
    .optional(),
  /**
   * How long growth must be watched while the limit is projected further away than the growth
   * has been watched (a cache that fills looks like a leak until it flattens): default 540 s, at
   * most the signal's window. 0 turns this longer watch off (the `sustainShare` watch alone):
   * for a bake too short to watch a slow leak that long (docs/statistics.md).
   */
  farSustainSeconds: seconds('farSustainSeconds', CONTRACT_LIMITS.windowSeconds.max).optional(),
});

/**
 * Binary health: breach when the fraction of ready instances stays below `minReady` for
 * `notReadySeconds` (0: the newest read alone) or more than `maxRestarts` restarts happen in the
 * window — after the deploy. A shorter not-ready run is a flap (a probe timing out under a GC
 * pause): `no-data`, neither a pass nor a breach (docs/statistics.md, "Readiness that flaps").
 */
export const HealthRuleSchema = z.strictObject({
  type: z.literal('health'),
  minReady: between('minReady', 0, 1).default(1),
  maxRestarts: count('maxRestarts', 0, CONTRACT_LIMITS.maxRestarts.max).default(0),
  notReadySeconds: seconds('notReadySeconds', CONTRACT_LIMITS.windowSeconds.max).optional(),
});

export const RuleSchema = z.discriminatedUnion('type', [
  StaticRuleSchema,
  BaselineRatioRuleSchema,
  SequentialRuleSchema,
  RateOfChangeRuleSchema,
  HealthRuleSchema,
]);

/** Raw backend queries that replace the built-in measure translation for one signal. */
export const RawQueriesSchema = z.strictObject({
  /** A gauge query for the signal's value (static, baseline-ratio, rate-of-change rules). */
  value: z.string().min(1).optional(),
  /** A count query for events per step (sequential rules), e.g. 5xx responses. */
  events: z.string().min(1).optional(),
  /** A count query for trials per step (sequential rules), e.g. all responses. */
  trials: z.string().min(1).optional(),
});

export const SignalSchema = z.strictObject({
  id,
  kind: z.enum(SIGNAL_KINDS),
  /** Key of the MetricSource to read from (the `sources` map given to the controller). */
  source: z.string().min(1).default('default'),
  selector: SelectorSchema.default({}),
  /** latency: the quantile judged by static and baseline-ratio rules. */
  quantile: probability('quantile').default(0.99),
  /** resource: which resource. */
  resource: z.enum(['memory', 'cpu']).default('memory'),
  queries: RawQueriesSchema.optional(),
  rules: z.array(RuleSchema).min(1, { error: 'a signal needs at least one rule' }),
  /** Confirms a rollback alone, whatever `confirmation.k` says (health probes). */
  authoritative: z.boolean().optional(),
  /** Below this many samples (requests for error-rate/latency, points otherwise) the verdict is no-data. */
  minSamples: between('minSamples', 0, CONTRACT_LIMITS.minSamples.max).default(0),
  /** The newest sample may be at most this old, else no-data (stale). */
  maxLagSeconds: positiveSeconds('maxLagSeconds', CONTRACT_LIMITS.maxLagSeconds.max).default(30),
  /** Window for static, baseline-ratio, rate-of-change and health rules. */
  windowSeconds: positiveSeconds('windowSeconds', CONTRACT_LIMITS.windowSeconds.max).default(60),
  /** A breach counts once it held for this many consecutive evaluations and this long. */
  sustain: z
    .strictObject({
      evaluations: count('sustain.evaluations', 1, CONTRACT_LIMITS.sustainEvaluations.max).default(1),
      seconds: seconds('sustain.seconds', CONTRACT_LIMITS.sustainSeconds.max).default(0),
    })
    .default({ evaluations: 1, seconds: 0 }),
  /** Evaluate per value of a label as well, each segment with its own sample floor. */
  segments: z
    .strictObject({
      by: z
        .string({ error: 'segments.by must be a label name, e.g. region' })
        .min(1, { error: 'segments.by must be a label name, e.g. region' }),
      minSamples: between('segments.minSamples', 0, CONTRACT_LIMITS.minSamples.max).default(50),
      maxSegments: count('segments.maxSegments', 1, 100).default(10),
    })
    .optional(),
});

export const ContractSchema = z
  .strictObject({
    schema: z.literal('rollgate.contract/v1').default('rollgate.contract/v1'),
    service: z.string().min(1, { error: 'name the service being watched' }),
    /** Evaluation cadence and data step. */
    stepSeconds: seconds(
      'stepSeconds',
      CONTRACT_LIMITS.stepSeconds.max,
      CONTRACT_LIMITS.stepSeconds.min,
    ).default(5),
    /** How long a new version is watched before it may be promoted. */
    bakeSeconds: positiveSeconds('bakeSeconds', CONTRACT_LIMITS.bakeSeconds.max).default(600),
    /**
     * The cold-start recognition window right after a deploy: breaches in it are held until it
     * ends. A cold start is recognised by latency elevated in this window.
     */
    warmupSeconds: seconds('warmupSeconds', CONTRACT_LIMITS.warmupSeconds.max).default(15),
    /**
     * Longest cold start to tolerate. When one is recognised, count signals are judged only on
     * data from this long after the deploy; otherwise on everything since the deploy.
     */
    coldStartSeconds: seconds('coldStartSeconds', CONTRACT_LIMITS.coldStartSeconds.max).default(60),
    /**
     * Hold error breaches to `coldStartSeconds` in a bake where no cold start was recognised, and
     * judge the errors again on the data after it: for services whose cold starts fail requests
     * without slowing them. Off by default: it delays every fault present from the first request
     * by about the bound (docs/statistics.md, "Cold starts the latency does not show").
     */
    holdQuietColdStartErrors: z
      .boolean({ error: 'holdQuietColdStartErrors must be true or false' })
      .default(false),
    /** Length of the pre-deploy baseline snapshot. */
    baselineSeconds: positiveSeconds('baselineSeconds', CONTRACT_LIMITS.baselineSeconds.max).default(1800),
    /** False-rollback budget per deploy, split across the sequential tests. */
    alpha: z
      .number({ error: 'alpha must be a probability, e.g. 0.01' })
      .min(CONTRACT_LIMITS.alpha.min, {
        error: `alpha must be from ${CONTRACT_LIMITS.alpha.min} to ${CONTRACT_LIMITS.alpha.max}, e.g. 0.01`,
      })
      .max(CONTRACT_LIMITS.alpha.max, {
        error: `alpha must be from ${CONTRACT_LIMITS.alpha.min} to ${CONTRACT_LIMITS.alpha.max}, e.g. 0.01`,
      })
      .default(0.01),
    /** Histogram bucket upper bounds (ms): the exceedance threshold is one of them. */
    latencyBucketsMs: z
      .array(
        z
          .number({ error: 'each latency bucket must be a number of milliseconds' })
          .positive({ error: 'each latency bucket must be more than 0 ms' })
          .max(CONTRACT_LIMITS.latencyBucketMs.max, {
            error: `each latency bucket must be at most ${CONTRACT_LIMITS.latencyBucketMs.max} ms`,
          }),
      )
      .min(1, { error: 'latencyBucketsMs needs at least one bucket bound' })
      .max(CONTRACT_LIMITS.latencyBuckets.max, {
        error: `latencyBucketsMs holds at most ${CONTRACT_LIMITS.latencyBuckets.max} bucket bounds`,
      })
      .default([5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]),
    signals: z.array(SignalSchema).min(1, { error: 'a contract needs at least one signal' }),
    confirmation: z
      .strictObject({
        /** Breaching non-authoritative signals needed in the same evaluation. */
        k: count('confirmation.k', 1, 100).default(1),
        /** Source errors in a row on one signal before escalating to a human. */
        maxConsecutiveErrors: count(
          'confirmation.maxConsecutiveErrors',
          1,
          CONTRACT_LIMITS.maxConsecutiveErrors.max,
        ).default(6),
      })
      .default({ k: 1, maxConsecutiveErrors: 6 }),
    promotion: z
      .strictObject({
        /** At the end of the bake without enough evidence: extend, hold (wait for a human) or promote anyway. */
        inconclusive: z.enum(['extend', 'hold', 'promote']).default('extend'),
        extendSeconds: positiveSeconds('promotion.extendSeconds', CONTRACT_LIMITS.extendSeconds.max).default(
          300,
        ),
        maxExtensions: count('promotion.maxExtensions', 0, CONTRACT_LIMITS.maxExtensions.max).default(2),
      })
      .default({ inconclusive: 'extend', extendSeconds: 300, maxExtensions: 2 }),
    verification: z
      .strictObject({
        /** How long the restored artifact is watched after a rollback. */
        windowSeconds: positiveSeconds(
          'verification.windowSeconds',
          CONTRACT_LIMITS.verificationSeconds.max,
        ).default(120),
        /**
         * While the only thing missing at the end of the window is traffic (signals below their
         * sample floor, nothing breaching or failing), the window extends, up to this long in
         * all. Then the rollback ends as "not enough traffic to tell", not as "not recovered".
         */
        maxWindowSeconds: positiveSeconds(
          'verification.maxWindowSeconds',
          CONTRACT_LIMITS.verificationSeconds.max,
        ).default(600),
      })
      .default({ windowSeconds: 120, maxWindowSeconds: 600 }),
    validation: z
      .strictObject({
        /**
         * A confirmed breach whose onset the data cannot place before or after the deploy (low
         * traffic, a little elevation just before it): `route-incident` (no rollback: one cannot
         * fix what predates the deploy, and would hide it) or `roll-back`.
         */
        ambiguousOnset: z.enum(['route-incident', 'roll-back']).default('route-incident'),
      })
      .default({ ambiguousOnset: 'route-incident' }),
    /** Progressive delivery: traffic weights with a bake per step (executors that support weights). */
    progressive: z
      .strictObject({
        weights: z
          .array(
            z
              .number({ error: 'each weight must be a percentage' })
              .gt(0, { error: 'each weight must be more than 0 (a percentage of traffic)' })
              .max(100, { error: 'each weight must be at most 100 (a percentage of traffic)' }),
          )
          .min(1, { error: 'weights needs at least one traffic weight, e.g. [5, 20, 50, 100]' })
          .max(CONTRACT_LIMITS.progressiveWeights.max, {
            error: `weights holds at most ${CONTRACT_LIMITS.progressiveWeights.max} steps`,
          }),
        bakeSecondsPerStep: positiveSeconds(
          'progressive.bakeSecondsPerStep',
          CONTRACT_LIMITS.bakeSecondsPerStep.max,
        ),
      })
      .optional(),
  })
  .superRefine((contract, ctx) => {
    const seen = new Set<string>();
    contract.signals.forEach((signal, i) => {
      if (seen.has(signal.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['signals', i, 'id'],
          message: `duplicate signal id "${signal.id}": give every signal a unique id`,
        });
      }
      seen.add(signal.id);
      signal.rules.forEach((rule, j) => {
        const allowed = RULES_BY_KIND[signal.kind];
        if (!allowed.includes(rule.type)) {
          ctx.addIssue({
            code: 'custom',
            path: ['signals', i, 'rules', j, 'type'],
            message: `rule "${rule.type}" does not apply to a ${signal.kind} signal; allowed: ${allowed.join(', ')}`,
          });
        }
        if (rule.type === 'static' && rule.min === undefined && rule.max === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['signals', i, 'rules', j],
            message: 'a static rule needs min, max or both',
          });
        }
        if (rule.type === 'sequential' && rule.test === 'sprt') {
          if (rule.p0 === undefined || rule.p1 === undefined || rule.p1 <= rule.p0) {
            ctx.addIssue({
              code: 'custom',
              path: ['signals', i, 'rules', j],
              message: 'an sprt test needs p0 (the acceptable rate) and p1 > p0 (the rate to detect)',
            });
          }
        }
        if (rule.type === 'sequential' && rule.test === 'concurrent' && rule.stableSelector === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['signals', i, 'rules', j, 'stableSelector'],
            message: 'a concurrent test needs stableSelector: the labels of the stable fleet',
          });
        }
      });
    });
    if (contract.confirmation.k > contract.signals.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['confirmation', 'k'],
        message: `k is ${contract.confirmation.k} but the contract has only ${contract.signals.length} signal(s)`,
      });
    }
    // Ratios to the step only once the step itself is valid (zod runs this with bad fields too).
    const step = contract.stepSeconds;
    const stepValid = step >= CONTRACT_LIMITS.stepSeconds.min && step <= CONTRACT_LIMITS.stepSeconds.max;
    const baselineSteps = contract.baselineSeconds / step;
    if (
      stepValid &&
      contract.baselineSeconds <= CONTRACT_LIMITS.baselineSeconds.max &&
      (baselineSteps < 1 || baselineSteps > CONTRACT_LIMITS.baselineSteps)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['baselineSeconds'],
        message: `baselineSeconds must be from 1 to ${CONTRACT_LIMITS.baselineSteps} steps of stepSeconds (${step} s): from ${step} to ${CONTRACT_LIMITS.baselineSteps * step} s, or change stepSeconds`,
      });
    }
    contract.signals.forEach((signal, i) => {
      signal.rules.forEach((rule, j) => {
        // The not-ready run is read from the window: a longer run could never be seen.
        if (
          rule.type === 'health' &&
          rule.notReadySeconds !== undefined &&
          rule.notReadySeconds >= signal.windowSeconds
        ) {
          ctx.addIssue({
            code: 'custom',
            path: ['signals', i, 'rules', j, 'notReadySeconds'],
            message: `notReadySeconds (${rule.notReadySeconds}) must be below the signal's windowSeconds (${signal.windowSeconds}), which holds the not-ready run`,
          });
        }
      });
      if (stepValid && signal.windowSeconds / step > CONTRACT_LIMITS.windowSteps) {
        ctx.addIssue({
          code: 'custom',
          path: ['signals', i, 'windowSeconds'],
          message: `windowSeconds must be at most ${CONTRACT_LIMITS.windowSteps} steps of stepSeconds (${step} s), since the window is read again at every step: at most ${CONTRACT_LIMITS.windowSteps * step} s`,
        });
      }
    });
    if (contract.coldStartSeconds < contract.warmupSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['coldStartSeconds'],
        message: 'coldStartSeconds must be at least warmupSeconds',
      });
    }
    if (contract.verification.maxWindowSeconds < contract.verification.windowSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['verification', 'maxWindowSeconds'],
        message: `maxWindowSeconds (${contract.verification.maxWindowSeconds}) must be at least windowSeconds (${contract.verification.windowSeconds})`,
      });
    }
    if (contract.warmupSeconds >= contract.bakeSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['warmupSeconds'],
        message: 'warmupSeconds must be shorter than bakeSeconds',
      });
    }
  });

/** Which rule types make sense for which signal kind (the kinds table's `rules`). */
export const RULES_BY_KIND: Readonly<Record<SignalKind, readonly Rule['type'][]>> = Object.fromEntries(
  SIGNAL_KINDS.map((kind) => [kind, SIGNAL_KIND_TABLE[kind].rules]),
) as Record<SignalKind, readonly Rule['type'][]>;

/** A validated contract with every default filled in. */
export type Contract = z.output<typeof ContractSchema>;
/** What a user may write: defaults optional. */
export type ContractInput = z.input<typeof ContractSchema>;
export type Signal = z.output<typeof SignalSchema>;
export type SignalInput = z.input<typeof SignalSchema>;
export type { SignalKind };
export type Rule = z.output<typeof RuleSchema>;
export type StaticRule = z.output<typeof StaticRuleSchema>;
export type BaselineRatioRule = z.output<typeof BaselineRatioRuleSchema>;
export type SequentialRule = z.output<typeof SequentialRuleSchema>;
export type RateOfChangeRule = z.output<typeof RateOfChangeRuleSchema>;
export type HealthRule = z.output<typeof HealthRuleSchema>;
