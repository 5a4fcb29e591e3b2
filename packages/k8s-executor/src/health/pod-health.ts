import type { PodView } from '../resources/kube-objects';

/** Waiting reasons that are a normal part of starting a container, not a problem. */
const BENIGN_WAITING = new Set(['ContainerCreating', 'PodInitializing']);
/** Termination reasons that are not failures. */
const BENIGN_TERMINATED = new Set(['Completed']);

/** A container in trouble: CrashLoopBackOff, ImagePullBackOff, OOMKilled, ... */
export interface ContainerProblem {
  readonly pod: string;
  readonly container: string;
  readonly reason: string;
  /** `waiting`: the current `state.waiting.reason`; `last-terminated`: `lastState.terminated.reason`. */
  readonly state: 'waiting' | 'last-terminated';
  readonly restartCount: number;
  readonly exitCode?: number;
}

/**
 * Pods that count for health: not terminating (a deleted pod's readiness says nothing about the
 * new version) and not Succeeded (a finished pod is not meant to be ready).
 */
export function livePods(pods: readonly PodView[]): PodView[] {
  return pods.filter((p) => !p.terminating && p.phase !== 'Succeeded');
}

/** The fraction of `pods` whose Ready condition is True; undefined for no pods. */
export function readyFraction(pods: readonly PodView[]): number | undefined {
  if (pods.length === 0) return undefined;
  return pods.filter((p) => p.ready).length / pods.length;
}

/** Every container problem the pods report, in pod then container order. */
export function containerProblems(pods: readonly PodView[]): ContainerProblem[] {
  const out: ContainerProblem[] = [];
  for (const pod of pods) {
    for (const c of pod.containers) {
      if (c.waitingReason !== undefined && !BENIGN_WAITING.has(c.waitingReason)) {
        out.push({
          pod: pod.name,
          container: c.name,
          reason: c.waitingReason,
          state: 'waiting',
          restartCount: c.restartCount,
        });
      }
      if (c.lastTerminatedReason !== undefined && !BENIGN_TERMINATED.has(c.lastTerminatedReason)) {
        const problem: { -readonly [K in keyof ContainerProblem]: ContainerProblem[K] } = {
          pod: pod.name,
          container: c.name,
          reason: c.lastTerminatedReason,
          state: 'last-terminated',
          restartCount: c.restartCount,
        };
        if (c.lastTerminatedExitCode !== undefined) problem.exitCode = c.lastTerminatedExitCode;
        out.push(problem);
      }
    }
  }
  return out;
}

/**
 * A problem as a warning line: `<Reason>: pod <pod> container <container> (<detail>)`. The reason
 * comes first so callers can match on it (`OOMKilled:`, `CrashLoopBackOff:`).
 */
export function formatProblem(problem: ContainerProblem): string {
  const detail =
    problem.state === 'waiting'
      ? `waiting, ${problem.restartCount} restarts`
      : `last terminated${problem.exitCode === undefined ? '' : ` with exit code ${problem.exitCode}`}, ${problem.restartCount} restarts`;
  return `${problem.reason}: pod ${problem.pod} container ${problem.container} (${detail})`;
}
