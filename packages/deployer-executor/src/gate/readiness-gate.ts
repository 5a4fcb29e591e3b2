import {
  type ArtifactRef,
  type Clock,
  fail,
  type GateReport,
  ok,
  type PortContext,
  type Result,
  sleep,
} from '@rollgate/core';
import { abortedError, contextError } from '../context/port-context';
import { executorError } from '../errors/executor-error';
import { classifyProbe, type ProbeOutcome, type ProbeVerdict } from './classify-probe';
import { type PreparedProbe, probeOnce } from './http-probe';

/** The gate's settings after validation and defaults. */
export interface GateSettings {
  readonly probes: readonly PreparedProbe[];
  readonly consecutive: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly probeTimeoutMs: number;
  readonly expectBody?: string | RegExp;
}

/** Defaults of {@link GateSettings}. */
export const GATE_DEFAULTS = {
  consecutive: 3,
  intervalMs: 1000,
  timeoutMs: 60_000,
  probeTimeoutMs: 5000,
} as const;

/**
 * Checks, for the mode at hand, that `current` is `target` and resolves to an existing release
 * directory; resolves a one-line description or `GATE_FAILED`.
 */
export type CurrentCheck = (target: ArtifactRef, ctx: PortContext) => Promise<Result<string>>;

/**
 * The readiness gate after a cutover. First the live release must be the target; then every
 * health URL must pass in `consecutive` rounds in a row, a failing round resetting the streak.
 * The gate gives up at its own timeout (`GATE_FAILED`) or at `ctx.deadline` (`TIMEOUT`),
 * whichever is first, reporting what the last round saw; `ctx.signal` aborts it (`ABORTED`).
 */
export async function runReadinessGate(
  settings: GateSettings,
  clock: Clock,
  target: ArtifactRef,
  ctx: PortContext,
  checkCurrent: CurrentCheck,
): Promise<Result<GateReport>> {
  const what = 'The readiness gate';
  const early = contextError(ctx, clock, what);
  if (early) return fail(early);
  const started = clock.now();
  const gateEnd = started + settings.timeoutMs;
  const end = Math.min(gateEnd, ctx.deadline);

  const current = await checkCurrent(target, ctx);
  if (!current.ok) return current;
  if (settings.probes.length === 0) {
    return ok({
      ready: true,
      detail: `No health URLs configured: checked only that ${current.value}. Configure gate.urls to probe the service itself.`,
    });
  }

  const displays = settings.probes.map((p) => p.display);
  let streak = 0;
  let rounds = 0;
  let last: readonly ProbeVerdict[] = [];
  for (;;) {
    if (ctx.signal.aborted) return fail(abortedError(what, ctx.signal.reason));
    const remaining = end - clock.now();
    if (remaining <= 0) break;
    const timeout = Math.min(settings.probeTimeoutMs, remaining);
    const outcomes = await Promise.all(settings.probes.map((probe) => probeOnce(probe, ctx, clock, timeout)));
    if (outcomes.includes('aborted') || ctx.signal.aborted)
      return fail(abortedError(what, ctx.signal.reason));
    const settled = outcomes.filter((o): o is ProbeOutcome => o !== 'aborted');
    // A request cut short by the gate's own end is no observation; report the last full round.
    const cutShort =
      timeout < settings.probeTimeoutMs && settled.some((o) => o.kind === 'error' && o.timedOut);
    if (cutShort && last.length > 0) break;
    rounds++;
    last = settled.map((outcome, i) => classifyProbe(displays[i] ?? '', outcome, settings.expectBody));
    streak = last.every((v) => v.pass) ? streak + 1 : 0;
    if (streak >= settings.consecutive) {
      const seconds = ((clock.now() - started) / 1000).toFixed(1);
      const urls = settings.probes.map((p) => p.display).join(', ');
      return ok({
        ready: true,
        detail:
          `${current.value}; ${settings.consecutive} consecutive probe rounds passed ` +
          `(${rounds} rounds in ${seconds} s) for ${urls}${settings.expectBody === undefined ? '' : ' with the body check'}.`,
      });
    }
    const pause = Math.min(settings.intervalMs, end - clock.now());
    if (pause <= 0) break;
    try {
      await sleep(clock, pause, ctx.signal);
    } catch {
      return fail(abortedError(what, ctx.signal.reason));
    }
  }

  const lastProbe = last.map((v) => v.observation);
  const saw = lastProbe.length > 0 ? lastProbe.join('; ') : 'no probe completed';
  const details = { rounds, streak, consecutive: settings.consecutive, lastProbe };
  if (ctx.deadline < gateEnd) {
    return fail(
      executorError(
        'TIMEOUT',
        `${what} reached the caller's deadline after ${rounds} probe rounds (streak ${streak} of ${settings.consecutive}); last probe: ${saw}.`,
        { retryable: true, details },
      ),
    );
  }
  return fail(
    executorError(
      'GATE_FAILED',
      `The service did not become ready within ${settings.timeoutMs} ms: needed ${settings.consecutive} consecutive passing probe rounds, ` +
        `the streak was ${streak} when it ended after ${rounds} rounds; last probe: ${saw}.`,
      { details },
    ),
  );
}
