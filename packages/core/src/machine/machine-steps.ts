import type { Contract } from '../contract/contract-schema';
import type { WatchState } from '../evaluation/watch-state';
import type { Command, MachineSnapshot, Transition } from './machine-state';
import type { MachineStateName } from './state-table';

/** Moves the snapshot into `state`, with the reason on the phase timeline. */
export function enter(
  s: MachineSnapshot,
  state: MachineStateName,
  at: number,
  reason: string,
): MachineSnapshot {
  return { ...s, state, phases: [...s.phases, { state, at, reason }] };
}

/** Queues `commands` after those still pending; the interpreter runs them in order. */
export function issue(s: MachineSnapshot, commands: readonly Command[]): Transition {
  const pending = [...s.pending, ...commands];
  return { snapshot: { ...s, pending }, commands: pending };
}

/** No move: the same snapshot, its pending commands still to run. */
export function unchanged(s: MachineSnapshot): Transition {
  return { snapshot: s, commands: s.pending };
}

/** The next evaluation: the first step boundary after `now` (plus the settle delay). */
export function evaluateAt(
  which: 'bake' | 'verify',
  watch: WatchState,
  now: number,
  settleMs: number,
  contract: Pick<Contract, 'stepSeconds'>,
): Command {
  const stepMs = contract.stepSeconds * 1000;
  const since = Math.max(now, watch.lastEvaluatedAt ?? Number.NEGATIVE_INFINITY) - watch.deployAt - settleMs;
  const k = Math.floor(since / stepMs) + 1;
  return { type: 'evaluate', watch: which, at: watch.deployAt + Math.max(0, k) * stepMs + settleMs };
}

/** Epoch ms as ISO 8601. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
