import type { HealthRule } from '../contract/contract-schema';
import { firstValueOutside, inDomain, MEASURE_DOMAINS, outOfDomainVerdict } from './measure-domain';
import { show, shownOnce, type TimeWindow, type Verdict } from './verdict';

/** Inputs of {@link evaluateHealth}: post-deploy data in the window only. */
export interface HealthInput {
  readonly signal: string;
  readonly segment?: string;
  /** Ready fraction (0..1) points, ascending by time. */
  readonly ready: readonly { readonly t: number; readonly v: number }[];
  /** Restarts per step in the window; null when the source has no restart data. */
  readonly restarts: number | null;
  readonly window: TimeWindow;
}

/**
 * How long the reads have stayed below `minReady` up to the newest (ms between the first read of
 * the run and the newest; 0 for a run of one read), or -1 when the newest read is not below.
 */
export function notReadyRunMs(
  ready: readonly { readonly t: number; readonly v: number }[],
  minReady: number,
): number {
  const last = ready.length - 1;
  const newest = ready[last];
  if (newest === undefined || !(newest.v < minReady)) return -1;
  let first = newest.t;
  for (let i = last - 1; i >= 0; i--) {
    const p = ready[i] as { t: number; v: number };
    if (!(p.v < minReady)) break;
    first = p.t;
  }
  return newest.t - first;
}

/**
 * Binary health: breach when the newest ready fraction is below `minReady` (and every read of the
 * last `notReadySeconds` was: a shorter run is a flap, `no-data`), or more than
 * `maxRestarts` restarts happened in the window. Only post-deploy data is given to this rule
 * (the evaluator's window starts after the deploy), so the failure postdates the deploy; the
 * validation gate still checks whether the same failure was already there before it.
 * A readiness outside [0, 1] or a restart count that is negative or infinite is an `error`:
 * the health signal is authoritative, so garbage in it must never confirm a breach alone.
 */
export function evaluateHealth(rule: HealthRule, input: HealthInput): Verdict {
  const newest = input.ready.at(-1);
  const restartsPossible = input.restarts === null || inDomain(input.restarts, MEASURE_DOMAINS.restarts);
  const impossible = restartsPossible ? firstValueOutside(input.ready, MEASURE_DOMAINS.ready) : undefined;
  // The verdict of almost every step (every health signal of every watch is judged at every
  // step): written field by field, the same keys in the same order as the spreads below, its
  // reason one string per ready share and restart count ({@link healthPassReason}). Built at
  // once, not on read: an own accessor costs more to make than this literal with a remembered
  // text (docs/benchmarks.md, "gauge13-issue-13").
  if (
    restartsPossible &&
    impossible === undefined &&
    newest !== undefined &&
    input.segment === undefined &&
    !(input.restarts !== null && input.restarts > rule.maxRestarts) &&
    !(newest.v < rule.minReady)
  ) {
    return {
      signal: input.signal,
      rule: 'health',
      window: input.window,
      samples: input.ready.length,
      status: 'pass',
      value: newest.v,
      threshold: rule.minReady,
      reason: healthPassReason(newest.v, input.restarts),
    };
  }
  const base = {
    signal: input.signal,
    rule: 'health',
    ...(input.segment === undefined ? {} : { segment: input.segment }),
    window: input.window,
    samples: input.ready.length,
  };
  if (input.restarts !== null && !restartsPossible)
    return outOfDomainVerdict(base, input.restarts, MEASURE_DOMAINS.restarts);
  if (impossible !== undefined) return outOfDomainVerdict(base, impossible, MEASURE_DOMAINS.ready);
  if (input.restarts !== null && input.restarts > rule.maxRestarts) {
    return {
      ...base,
      status: 'breach',
      value: input.restarts,
      threshold: rule.maxRestarts,
      reason: `${show(input.restarts)} restart(s) since the deploy in the window (allowed ${rule.maxRestarts})`,
    };
  }
  if (newest === undefined) {
    return {
      ...base,
      status: 'no-data',
      value: null,
      threshold: rule.minReady,
      reason: 'no readiness data in the window',
    };
  }
  if (newest.v < rule.minReady) {
    // A pod not Ready for a few seconds (a probe timing out under a GC pause) is a flap; a
    // failing release stays not Ready. A run shorter than `notReadySeconds` is neither evidence
    // of health nor of a failure: `no-data` holds the breach run, and at the end of a bake it
    // leaves the watch inconclusive, never promoted on it (docs/statistics.md).
    const needed = rule.notReadySeconds ?? 0;
    const run = needed > 0 ? notReadyRunMs(input.ready, rule.minReady) : 0;
    if (run < needed * 1000) {
      return {
        ...base,
        status: 'no-data',
        value: newest.v,
        threshold: rule.minReady,
        reason: `${readyShare(newest.v, rule.minReady)} for ${show(run / 1000)} s, under the ${show(needed)} s a breach needs: a flap, or a failure's first seconds`,
      };
    }
    return {
      ...base,
      status: 'breach',
      value: newest.v,
      threshold: rule.minReady,
      reason:
        needed > 0
          ? `${readyShare(newest.v, rule.minReady)} for ${show(run / 1000)} s (a breach needs ${show(needed)} s)`
          : readyShare(newest.v, rule.minReady),
    };
  }
  return {
    ...base,
    status: 'pass',
    value: newest.v,
    threshold: rule.minReady,
    reason: healthPassReason(newest.v, input.restarts),
  };
}

/** The ready share against the rule's minimum, as a breach's (or a flap's) reason begins. */
function readyShare(ready: number, minReady: number): string {
  return `${show(ready * 100)}% of instances ready (required ${show(minReady * 100)}%)`;
}

/**
 * The reason of a health probe's pass: the ready share, and the restarts when the source counts
 * them. One string per ready share and restart count, remembered (a fleet sees a handful: 100%
 * ready, 0 restarts), so a pass at every step of every watch neither formats nor allocates a
 * text, and every watch's `last` verdict holds the same one.
 */
export function healthPassReason(ready: number, restarts: number | null): string {
  // -0 is formatted every time (a map does not tell it from 0), as `shownOnce` does.
  if (Object.is(restarts, -0)) return readyText(ready, restarts);
  const key = restarts === null ? NO_RESTARTS : restarts;
  let byReady = reasonsByRestarts.get(key);
  if (byReady === undefined) {
    if (reasonsByRestarts.size >= 16) reasonsByRestarts.clear();
    byReady = new Map();
    reasonsByRestarts.set(key, byReady);
  }
  return shownOnce(byReady, ready, (r) => readyText(r, restarts));
}

function readyText(ready: number, restarts: number | null): string {
  return `${show(ready * 100)}% of instances ready${restarts === null ? '' : `, ${show(restarts)} restart(s)`}`;
}

/** The key of the reasons without restart data (not a count: a restart count is never negative). */
const NO_RESTARTS = -1;
/** Remembered pass reasons, by restart count, then ready share (each map bounded, see `shownOnce`). */
const reasonsByRestarts = new Map<number, Map<number, string>>();
