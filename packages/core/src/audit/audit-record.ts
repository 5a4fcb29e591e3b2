import { z } from 'zod';

/**
 * The audit record: one per watch, written when it reaches a terminal state. It is the input
 * of the post-incident review, so it holds everything needed to reconstruct the decision:
 * the deploy, every phase with its time, the breach and its statistic, the artifacts, the
 * cutover and gate, the readings that confirmed (or failed to confirm) recovery, the outcome
 * and the operator-facing reason. Times are ISO 8601 strings; values that JSON cannot hold
 * (±Infinity) are null, with the reason text spelling them out. Never holds secrets.
 */

const iso = z.string().min(1);

export const ArtifactRefSchema = z.object({
  id: z.string().min(1),
  revision: z.string().optional(),
  digest: z.string().optional(),
  target: z.string().optional(),
  createdAt: z.number().optional(),
  schema: z.object({ version: z.number(), minCompatible: z.number().optional() }).optional(),
  attributes: z.record(z.string(), z.string()).optional(),
});

export const AuditWindowSchema = z.object({ start: iso, end: iso });

/** A serialized RollgateError: code, message, retryable, component; never a stack or cause. */
export const AuditErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
  component: z.string(),
  retryAfterMs: z.number().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const AuditStatisticSchema = z.object({
  name: z.string(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  alpha: z.number().optional(),
  ratioEstimate: z.number().nullable().optional(),
  ratioInterval: z
    .object({ lower: z.number().nullable(), upper: z.number().nullable(), level: z.number() })
    .nullable()
    .optional(),
});

export const AuditVerdictSchema = z.object({
  status: z.enum(['pass', 'breach', 'no-data', 'error']),
  signal: z.string(),
  rule: z.string(),
  segment: z.string().optional(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  window: AuditWindowSchema,
  samples: z.number(),
  reason: z.string(),
  statistic: AuditStatisticSchema.optional(),
  error: AuditErrorSchema.optional(),
  /** Latency count tests: the threshold (ms) whose exceedances were counted. */
  exceedanceThresholdMs: z.number().optional(),
  /** Count tests: steps kept from the test under a load surge; resource trends: samples held out. */
  surgeHeldSteps: z.number().optional(),
  /** Verification: the breach rested on one burst and was not taken as "not recovered". */
  burstHeld: z.boolean().optional(),
  /** No-data for want of traffic only: samples seen and the floor. */
  insufficient: z.object({ samples: z.number(), needed: z.number() }).optional(),
});

export const AuditPhaseSchema = z.object({
  state: z.string(),
  at: iso,
  reason: z.string(),
});

export const AuditOutcomeSchema = z.enum([
  'promoted',
  'rolled-back',
  'escalated',
  'halted',
  'incident-routed',
  'kept-on-hold',
  /** Dry run: a rollback was warranted and a target found, but nothing was executed. */
  'would-roll-back',
]);

export const AuditPointSchema = z.object({
  at: iso,
  phase: z.enum(['bake', 'verify']),
  /** The rule of the verdict the point shows (the signal's first rule on the aggregate). */
  rule: z.string().optional(),
  status: z.enum(['pass', 'breach', 'no-data', 'error']),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  statistic: z.number().nullable().optional(),
  /** What the source said was incomplete about this evaluation's reads (partial data). */
  warnings: z.array(z.string()).optional(),
});

/** A human request the watch picked up (promote, abort, retry), applied or refused. */
export const AuditControlSchema = z.object({
  id: z.string().min(1),
  action: z.enum(['promote', 'abort', 'retry']),
  /** Who asked, as the caller identified them (e.g. `github:alice`). */
  actor: z.string().min(1),
  reason: z.string(),
  requestedAt: iso,
  /** When the watch picked it up, and in which state. */
  at: iso,
  state: z.string(),
  result: z.enum(['applied', 'refused']),
  detail: z.string(),
});

export const AuditRecordSchema = z.object({
  schema: z.literal('rollgate.audit/v1'),
  watchId: z.string().min(1),
  /**
   * 1 for a watch's first ending. A human request that reopens a halted, escalated or held
   * watch makes its next ending a new record with the next revision (absent = 1); the newest
   * revision is the complete story, earlier ones stay as they were written.
   */
  revision: z.number().int().positive().optional(),
  service: z.string().min(1),
  outcome: AuditOutcomeSchema,
  /** What a human needs to know, in one or two sentences. */
  reason: z.string().min(1),
  dryRun: z.boolean(),
  startedAt: iso,
  finishedAt: iso,
  deploy: z.object({
    artifactId: z.string().min(1),
    deployedAt: iso,
    artifact: ArtifactRefSchema.nullable(),
  }),
  failedArtifact: ArtifactRefSchema.nullable(),
  restoredArtifact: ArtifactRefSchema.nullable(),
  contract: z.object({
    alpha: z.number(),
    stepSeconds: z.number(),
    bakeSeconds: z.number(),
    warmupSeconds: z.number(),
    baselineSeconds: z.number(),
    verificationSeconds: z.number(),
    signals: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        /** Resource signals: what is measured, so a report can label units. */
        resource: z.enum(['memory', 'cpu']).optional(),
        /** Unit of the verdict values: `fraction`, `ms`, `bytes/s`, `cores/s`, `ready fraction`. */
        unit: z.string().optional(),
        rules: z.array(z.string()),
        authoritative: z.boolean(),
      }),
    ),
  }),
  phases: z.array(AuditPhaseSchema).min(1),
  baseline: z
    .object({
      window: AuditWindowSchema,
      signals: z.record(
        z.string(),
        z.object({
          status: z.string(),
          reason: z.string(),
          value: z.number().nullable(),
          events: z.number().nullable(),
          trials: z.number().nullable(),
          exceedanceThresholdMs: z.number().nullable(),
          /** Latency: the tail test's threshold and its baseline exceedances. */
          tailThresholdMs: z.number().optional(),
          tailEvents: z.number().optional(),
          /**
           * Count signals whose window drifts: the relative spread of its level between 5-min
           * blocks beyond binomial noise, their lowest and highest rate, and the homogeneity
           * test's p-value (docs/statistics.md, "Drifting baselines").
           */
          drift: z
            .object({ spread: z.number(), lowRate: z.number(), highRate: z.number(), pValue: z.number() })
            .optional(),
          /** Count signals: the baseline health check (an elevated stretch in the window). */
          health: z
            .object({
              status: z.enum(['healthy', 'unhealthy']),
              reason: z.string(),
              episode: z
                .object({
                  start: iso,
                  end: iso,
                  /** Still elevated at the deploy. */
                  ongoing: z.boolean(),
                  rate: z.number(),
                  outsideRate: z.number(),
                })
                .optional(),
              /**
               * No episode, but the window's last minutes stood out (the tail look, at most
               * `BASELINE_TAIL_ALPHA` of healthy windows): the stretch, its rate and the rest's,
               * and its p-value over the look's stretches. It arms the bake-start check below
               * (docs/statistics.md, "An incident the scan cannot see"); the window stays healthy.
               */
              tail: z
                .object({
                  start: iso,
                  end: iso,
                  rate: z.number(),
                  outsideRate: z.number(),
                  pValue: z.number(),
                })
                .optional(),
              /**
               * A bake after an episode still going at the deploy: the peak, over the looks, of the
               * bake's likelihood ratio at the episode's rate against the healthy one, with the
               * bake's counts then (`likelihoodRatio` null when JSON cannot hold it); `routed`
               * when it reached 1/level and the passing bake routed the incident
               * (docs/statistics.md, "A passing bake after an incident under way").
               */
              bakeStart: z
                .object({
                  at: iso,
                  events: z.number(),
                  trials: z.number(),
                  likelihoodRatio: z.number().nullable(),
                  routed: z.boolean(),
                })
                .optional(),
            })
            .optional(),
          /**
           * The pre-deploy window in at most 60 points, in the unit of the signal's `series`
           * values (a rate, or a gauge level), so a chart shows before and after on one scale.
           * Absent when the baseline was not taken or is not on that scale (a latency quantile,
           * a trend's slope), and in records of older versions.
           */
          series: z.array(z.object({ at: iso, value: z.number().nullable() })).optional(),
        }),
      ),
    })
    .nullable(),
  breach: z
    .object({
      signal: z.string(),
      kind: z.string(),
      segment: z.string().optional(),
      rule: z.string(),
      value: z.number().nullable(),
      threshold: z.number().nullable(),
      window: AuditWindowSchema,
      samples: z.number(),
      statistic: AuditStatisticSchema.nullable(),
      reason: z.string(),
      confirmedAt: iso,
      onset: z
        .object({
          status: z.enum(['ok', 'unknown']),
          preexisting: z.boolean(),
          /** The onset could not be placed; `preexisting` then follows `validation.ambiguousOnset`. */
          ambiguous: z.boolean().optional(),
          /**
           * The trend explained the breach (docs/statistics.md, "Climbs routed as incidents"): the
           * gate kept baking; `looks` it took at this breach, the last one's step-test `level`.
           */
          explainedByTrend: z.object({ looks: z.number(), level: z.number() }).optional(),
          onsetAt: iso.nullable(),
          method: z.string(),
          reason: z.string(),
        })
        .nullable(),
      evidence: z.array(AuditVerdictSchema),
    })
    .nullable(),
  cutover: z
    .object({
      operationId: z.string(),
      target: ArtifactRefSchema,
      requestedAt: iso,
      completedAt: iso.nullable(),
      changed: z.boolean().nullable(),
      detail: z.string(),
      gate: z.object({ ok: z.boolean(), detail: z.string(), at: iso }).nullable(),
      error: AuditErrorSchema.nullable(),
    })
    .nullable(),
  recovery: z
    .object({
      verified: z.boolean(),
      /**
       * `verified`: every signal passed on the restored artifact; `not-recovered`: evidence of a
       * breach on it; `insufficient-traffic`: no breach, but too little traffic to pass every
       * signal within the longest verification window; `unverifiable`: a source failed or its
       * data was missing. Absent in records written before it existed.
       */
      status: z.enum(['verified', 'not-recovered', 'insufficient-traffic', 'unverifiable']).optional(),
      window: AuditWindowSchema,
      reason: z.string(),
      readings: z.array(AuditVerdictSchema),
    })
    .nullable(),
  /** The last verdicts of every signal when the watch ended. */
  finalReadings: z.array(AuditVerdictSchema),
  /**
   * Per signal, the evaluations' points for the report's charts: at most 60, the newest one by one
   * and older ones thinned pairwise keeping the more severe point (`machine/audit-series-bound.ts`).
   */
  series: z.record(z.string(), z.array(AuditPointSchema)),
  notifications: z.array(
    z.object({ kind: z.string(), title: z.string(), ok: z.boolean(), error: z.string().optional(), at: iso }),
  ),
  verification: z
    .object({
      recorded: z.boolean(),
      artifactId: z.string(),
      keyId: z.string().optional(),
      error: z.string().optional(),
    })
    .nullable(),
  /** Human requests in the order the watch picked them up (absent in records before they existed). */
  controls: z.array(AuditControlSchema).optional(),
  /** The human decision that steered the outcome (a promote or an abort), if any. */
  decidedBy: AuditControlSchema.nullable().optional(),
});

export type AuditControl = z.infer<typeof AuditControlSchema>;
export type AuditRecord = z.infer<typeof AuditRecordSchema>;
export type AuditVerdict = z.infer<typeof AuditVerdictSchema>;
export type AuditOutcome = z.infer<typeof AuditOutcomeSchema>;
export type AuditPoint = z.infer<typeof AuditPointSchema>;
