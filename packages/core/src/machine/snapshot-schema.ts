import { z } from 'zod';
import { formatZodIssues } from '../contract/config-error';
import { RollgateError } from '../errors/rollgate-error';
import type { MachineSnapshot } from './machine-state';

const STATES = [
  'Starting',
  'Watching',
  'Validating',
  'IncidentRouted',
  'Retrieving',
  'Halted',
  'CuttingOver',
  'Verifying',
  'RolledBack',
  'Escalated',
  'Promoting',
  'Promoted',
  'Held',
  'DryRunComplete',
] as const;

/**
 * The structural check of a stored snapshot: the fields the interpreter relies on to resume.
 * Inner evaluation state is produced by core itself and round-trips as plain JSON.
 */
const SnapshotShape = z
  .object({
    schema: z.literal('rollgate.machine/v1'),
    watchId: z.string().min(1),
    service: z.string().min(1),
    state: z.enum(STATES),
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
  })
  .passthrough();

/** Validates a snapshot loaded from a StateStore; `STATE_CORRUPT` names what is wrong. */
export function parseMachineSnapshot(value: unknown, origin: string): MachineSnapshot {
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
  return value as MachineSnapshot;
}
