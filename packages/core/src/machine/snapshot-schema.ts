import { z } from 'zod';
import { formatZodIssues } from '../contract/config-error';
import { RollgateError } from '../errors/rollgate-error';
import type { MachineSnapshot } from './machine-state';
import { MACHINE_STATE_NAMES } from './state-table';
import { decodeStoredSeries } from './stored-series';
import { columnBaseline } from './stored-watch-state';

/**
 * The structural check of a stored snapshot: the fields the interpreter relies on to resume.
 * Inner evaluation state is produced by core itself and round-trips as plain JSON.
 */
const SnapshotShape = z
  .object({
    schema: z.literal('rollgate.machine/v1'),
    watchId: z.string().min(1),
    service: z.string().min(1),
    state: z.enum(MACHINE_STATE_NAMES),
    startedAt: z.number(),
    deploy: z.object({ artifactId: z.string().min(1), deployedAt: z.number() }).passthrough(),
    options: z
      .object({
        dryRun: z.boolean(),
        cooldownSeconds: z.number(),
        settleMs: z.number(),
        weights: z.array(z.number()).nullable(),
        bakeSecondsPerStep: z.number().nullable(),
      })
      .passthrough(),
    bake: z
      .object({
        schema: z.literal('rollgate.watch/v1'),
        deployAt: z.number(),
        signals: z.record(z.string(), z.unknown()),
      })
      .passthrough(),
    pending: z.array(z.object({ type: z.string() }).passthrough()),
    phases: z.array(z.object({ state: z.string(), at: z.number(), reason: z.string() })).min(1),
    auditWritten: z.boolean(),
    auditAttempts: z.number(),
    controls: z
      .array(
        z
          .object({
            id: z.string().min(1),
            action: z.enum(['promote', 'abort', 'retry']),
            result: z.string(),
          })
          .passthrough(),
      )
      .optional(),
    revision: z.number().int().positive().optional(),
    /** Chart points: objects, or compact tuples led by the epoch ms (`stored-series.ts`). */
    series: z
      .record(
        z.string(),
        z.array(
          z.union([
            z
              .tuple([z.number().min(-8.64e15).max(8.64e15)], z.unknown())
              .refine((t) => t.length === 6 || t.length === 7, {
                message: 'a compact chart point has 6 or 7 entries',
              }),
            z.object({ at: z.string() }).passthrough(),
          ]),
        ),
      )
      .optional(),
  })
  .passthrough();

/**
 * Validates a snapshot saved in one piece (`rollgate.machine/v1`) and loaded from a StateStore
 * (`loadStoredSnapshot` reads the current form, saved in parts, and calls this); `STATE_CORRUPT` names what is wrong. Chart
 * points saved in their compact form (`stored-series.ts`) come back as objects.
 */
export function parseMachineSnapshot(value: unknown, origin: string): MachineSnapshot {
  if (
    typeof value === 'object' &&
    value !== null &&
    'schema' in value &&
    (value.schema === 'rollgate.machine/v2' ||
      value.schema === 'rollgate.machine/v3' ||
      value.schema === 'rollgate.machine/v4' ||
      value.schema === 'rollgate.machine/v5' ||
      value.schema === 'rollgate.machine/v6' ||
      value.schema === 'rollgate.machine/v7' ||
      value.schema === 'rollgate.machine/v8')
  ) {
    throw new RollgateError(
      'STATE_CORRUPT',
      `${origin} is saved in parts (${value.schema}): read it with loadStoredSnapshot, which loads its baseline and chart series from their own keys.`,
      { component: 'controller' },
    );
  }
  const result = SnapshotShape.safeParse(value);
  if (!result.success) {
    throw new RollgateError(
      'STATE_CORRUPT',
      `${origin} is not a Rollgate machine snapshot:\n${formatZodIssues(result.error)
        .map((l) => `  - ${l}`)
        .join('\n')}\nRemove it to start the watch afresh, or restore it from a backup.`,
      { component: 'controller', cause: result.error },
    );
  }
  return columnBaselines(decodeStoredSeries(value as Record<string, unknown>)) as unknown as MachineSnapshot;
}

/** The bake and verify watches' baselines with their series as columns (`columnBaseline`). */
function columnBaselines(value: Record<string, unknown>): Record<string, unknown> {
  const seen = new Map<unknown, unknown>();
  const watch = (w: unknown): unknown => {
    if (typeof w !== 'object' || w === null || !('baseline' in w)) return w;
    const baseline = columnBaseline(w.baseline, seen);
    return baseline === w.baseline ? w : { ...w, baseline };
  };
  const bake = watch(value.bake);
  const verify = watch(value.verify);
  return bake === value.bake && verify === value.verify ? value : { ...value, bake, verify };
}
