import { z } from 'zod';

/**
 * The contract: a JSON-serialisable description of what "healthy" means for one service — its
 * signals, the rules each is judged by, and the policy that turns verdicts into decisions.
 * Every field has a default except `service` and `signals`; `defaultContract()` fills in the
 * four standard signals.
 */

const seconds = (what: string) =>
  z
    .number({ error: `${what} must be a number of seconds` })
    .finite()
    .nonnegative({ error: `${what} must be >= 0 seconds` });

const positiveSeconds = (what: string) =>
  z
    .number({ error: `${what} must be a number of seconds` })
    .finite()
    .positive({ error: `${what} must be > 0 seconds` });

const probability = z.number().gt(0, { error: 'must be > 0' }).lt(1, { error: 'must be < 1' });

const id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
  error: 'must be 1-63 characters of a-z, 0-9, ".", "_", "-", starting with a letter or digit',
});

/** Equality label matchers; values are escaped by each source. */
export const SelectorSchema = z.record(z.string().min(1), z.string());

/** Breach when the signal's window value is outside [min, max]. */
export const StaticRuleSchema = z.strictObject({
  type: z.literal('static'),
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
});

/**
 * Breach when the window value exceeds `maxRatio` times the pre-deploy snapshot (and, when
 * set, by more than `minDelta` in absolute terms, so 0.01% -> 0.03% is not a "3x" breach).
 */
export const BaselineRatioRuleSchema = z.strictObject({
  type: z.literal('baseline-ratio'),
  maxRatio: z.number().finite().gt(1, { error: 'must be > 1 (a ratio over the baseline)' }),
  minDelta: z.number().finite().nonnegative().default(0),
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
  tolerance: z.number().finite().min(1).default(1),
  p0: probability.optional(),
  p1: probability.optional(),
  stableSelector: SelectorSchema.optional(),
  ratios: z.array(z.number().finite().gt(1)).min(1).optional(),
  /**
   * Steps whose traffic is far above anything the baseline saw (a load surge): `hold` keeps them
   * from the test (load alone slows requests, so the version is judged on the load the baseline
   * knows); a number >= 1 tests them with the tolerance multiplied by it (load may raise the
   * rate that much; 1 tests them like any step). Default: `hold` for latency, 2 for error rate
   * (a retry storm from a failing version raises traffic too: its errors must still count).
   * Concurrent tests compare with a stable fleet under the same load and ignore it.
   */
  loadSurge: z.union([z.literal('hold'), z.number().finite().min(1).max(100)]).optional(),
});

/**
 * Rate of change of a resource (least-squares slope over the window) and the projected time to
 * a limit. The limit is `limit` (absolute, e.g. the container memory limit in bytes) or
 * `limitFromBaseline` times the pre-deploy level.
 */
export const RateOfChangeRuleSchema = z.strictObject({
  type: z.literal('rate-of-change'),
  limit: z.number().finite().positive().optional(),
  limitFromBaseline: z.number().finite().gt(1).default(2),
  /** Breach when the limit would be reached within this many seconds. */
  horizonSeconds: positiveSeconds('horizonSeconds').default(3600),
  /**
   * The slope must be significant: the one-sided p-value of its t-test (n - 2 degrees of
   * freedom, so a short window needs a much larger t) at most this. The rule is checked at every
   * step, so the default is strict: noise is not a trend.
   */
  maxPValue: z.number().gt(0).lt(1).default(1e-4),
  /**
   * How long growth must have been watched before it counts, as a share of the projected time
   * to the limit (at most the window): a leak that fills the limit in an hour is confirmed over
   * 6 minutes, one that fills it in 10 minutes over one. Default 0.1.
   */
  sustainShare: z.number().min(0).max(1).optional(),
});

/**
 * Binary health: breach when the fraction of ready instances drops below `minReady` or more
 * than `maxRestarts` restarts happen in the window — after the deploy.
 */
export const HealthRuleSchema = z.strictObject({
  type: z.literal('health'),
  minReady: z.number().min(0).max(1).default(1),
  maxRestarts: z.number().int().nonnegative().default(0),
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
  kind: z.enum(['error-rate', 'latency', 'resource', 'health']),
  /** Key of the MetricSource to read from (the `sources` map given to the controller). */
  source: z.string().min(1).default('default'),
  selector: SelectorSchema.default({}),
  /** latency: the quantile judged by static and baseline-ratio rules. */
  quantile: z.number().gt(0).lt(1).default(0.99),
  /** resource: which resource. */
  resource: z.enum(['memory', 'cpu']).default('memory'),
  queries: RawQueriesSchema.optional(),
  rules: z.array(RuleSchema).min(1, { error: 'a signal needs at least one rule' }),
  /** Confirms a rollback alone, whatever `confirmation.k` says (health probes). */
  authoritative: z.boolean().optional(),
  /** Below this many samples (requests for error-rate/latency, points otherwise) the verdict is no-data. */
  minSamples: z.number().nonnegative().default(0),
  /** The newest sample may be at most this old, else no-data (stale). */
  maxLagSeconds: positiveSeconds('maxLagSeconds').default(30),
  /** Window for static, baseline-ratio, rate-of-change and health rules. */
  windowSeconds: positiveSeconds('windowSeconds').default(60),
  /** A breach counts once it held for this many consecutive evaluations and this long. */
  sustain: z
    .strictObject({
      evaluations: z.number().int().min(1).default(1),
      seconds: seconds('sustain.seconds').default(0),
    })
    .default({ evaluations: 1, seconds: 0 }),
  /** Evaluate per value of a label as well, each segment with its own sample floor. */
  segments: z
    .strictObject({
      by: z.string().min(1),
      minSamples: z.number().nonnegative().default(50),
      maxSegments: z.number().int().min(1).max(100).default(10),
    })
    .optional(),
});

export const ContractSchema = z
  .strictObject({
    schema: z.literal('rollgate.contract/v1').default('rollgate.contract/v1'),
    service: z.string().min(1, { error: 'name the service being watched' }),
    /** Evaluation cadence and data step. */
    stepSeconds: positiveSeconds('stepSeconds').default(5),
    /** How long a new version is watched before it may be promoted. */
    bakeSeconds: positiveSeconds('bakeSeconds').default(600),
    /**
     * The cold-start recognition window right after a deploy: breaches in it are held until it
     * ends. A cold start is recognised by latency elevated in this window.
     */
    warmupSeconds: seconds('warmupSeconds').default(15),
    /**
     * Longest cold start to tolerate. When one is recognised, count signals are judged only on
     * data from this long after the deploy; otherwise on everything since the deploy.
     */
    coldStartSeconds: seconds('coldStartSeconds').default(60),
    /** Length of the pre-deploy baseline snapshot. */
    baselineSeconds: positiveSeconds('baselineSeconds').default(1800),
    /** False-rollback budget per deploy, split across the sequential tests. */
    alpha: probability.default(0.01),
    /** Histogram bucket upper bounds (ms): the exceedance threshold is one of them. */
    latencyBucketsMs: z
      .array(z.number().finite().positive())
      .min(1)
      .default([5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]),
    signals: z.array(SignalSchema).min(1, { error: 'a contract needs at least one signal' }),
    confirmation: z
      .strictObject({
        /** Breaching non-authoritative signals needed in the same evaluation. */
        k: z.number().int().min(1).default(1),
        /** Source errors in a row on one signal before escalating to a human. */
        maxConsecutiveErrors: z.number().int().min(1).default(6),
      })
      .default({ k: 1, maxConsecutiveErrors: 6 }),
    promotion: z
      .strictObject({
        /** At the end of the bake without enough evidence: extend, hold (wait for a human) or promote anyway. */
        inconclusive: z.enum(['extend', 'hold', 'promote']).default('extend'),
        extendSeconds: positiveSeconds('promotion.extendSeconds').default(300),
        maxExtensions: z.number().int().nonnegative().default(2),
      })
      .default({ inconclusive: 'extend', extendSeconds: 300, maxExtensions: 2 }),
    verification: z
      .strictObject({
        /** How long the restored artifact is watched after a rollback. */
        windowSeconds: positiveSeconds('verification.windowSeconds').default(120),
        /**
         * While the only thing missing at the end of the window is traffic (signals below their
         * sample floor, nothing breaching or failing), the window extends, up to this long in
         * all. Then the rollback ends as "not enough traffic to tell", not as "not recovered".
         */
        maxWindowSeconds: positiveSeconds('verification.maxWindowSeconds').max(86_400).default(600),
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
        weights: z.array(z.number().gt(0).max(100)).min(1),
        bakeSecondsPerStep: positiveSeconds('progressive.bakeSecondsPerStep'),
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

/** Which rule types make sense for which signal kind. */
export const RULES_BY_KIND: Readonly<Record<SignalKind, readonly Rule['type'][]>> = {
  'error-rate': ['static', 'baseline-ratio', 'sequential'],
  latency: ['static', 'baseline-ratio', 'sequential'],
  resource: ['static', 'baseline-ratio', 'rate-of-change'],
  health: ['health', 'static'],
};

/** A validated contract with every default filled in. */
export type Contract = z.output<typeof ContractSchema>;
/** What a user may write: defaults optional. */
export type ContractInput = z.input<typeof ContractSchema>;
export type Signal = z.output<typeof SignalSchema>;
export type SignalInput = z.input<typeof SignalSchema>;
export type SignalKind = Signal['kind'];
export type Rule = z.output<typeof RuleSchema>;
export type StaticRule = z.output<typeof StaticRuleSchema>;
export type BaselineRatioRule = z.output<typeof BaselineRatioRuleSchema>;
export type SequentialRule = z.output<typeof SequentialRuleSchema>;
export type RateOfChangeRule = z.output<typeof RateOfChangeRuleSchema>;
export type HealthRule = z.output<typeof HealthRuleSchema>;
