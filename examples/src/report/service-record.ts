import { type ServiceSecond, SLOW_BOUNDS_MS } from '../service/second-stats';

/** One window of the service's own record. */
export interface ServiceWindow {
  /** Window start and end, seconds relative to the deploy. */
  readonly from: number;
  readonly to: number;
  readonly requests: number;
  /** Requests slower than each of SLOW_BOUNDS_MS. */
  readonly slower: readonly number[];
  readonly maxMs: number;
  /** The event loop's worst delay in the window (ms). */
  readonly loopDelayMs: number;
}

/**
 * The service's per-second record folded into `stepSeconds` windows from `fromMs` to `toMs`
 * (epoch ms), times relative to `deployAt`. What it shows: whether slow requests came with a
 * late event loop (the CPU was taken: host load) or with a punctual one (the release is slow).
 */
export function serviceWindows(
  seconds: readonly ServiceSecond[],
  deployAt: number,
  fromMs: number,
  toMs: number,
  stepSeconds = 5,
): ServiceWindow[] {
  const windows: ServiceWindow[] = [];
  const start = deployAt + Math.floor((fromMs - deployAt) / 1000 / stepSeconds) * stepSeconds * 1000;
  for (let at = start; at < toMs; at += stepSeconds * 1000) {
    const inWindow = seconds.filter(
      (s) => s.second * 1000 >= at && s.second * 1000 < at + stepSeconds * 1000,
    );
    windows.push({
      from: Math.round((at - deployAt) / 1000),
      to: Math.round((at - deployAt) / 1000) + stepSeconds,
      requests: inWindow.reduce((n, s) => n + s.requests, 0),
      slower: SLOW_BOUNDS_MS.map((_, i) => inWindow.reduce((n, s) => n + (s.slower[i] ?? 0), 0)),
      maxMs: inWindow.reduce((m, s) => Math.max(m, s.maxMs), 0),
      loopDelayMs: inWindow.reduce((m, s) => Math.max(m, s.loopDelayMs), 0),
    });
  }
  return windows;
}

/** The windows as terminal lines, with a header. */
export function serviceRecordLines(windows: readonly ServiceWindow[]): string[] {
  const header = `  window (s)    requests  ${SLOW_BOUNDS_MS.map((b) => `>${b}ms`.padStart(8)).join('')}  slowest  event-loop delay`;
  const rel = (s: number) => `${s >= 0 ? '+' : '-'}${String(Math.abs(s)).padStart(3)}`;
  return [
    header,
    ...windows.map(
      (w) =>
        `  ${rel(w.from)}..${rel(w.to)}  ${String(w.requests).padStart(8)}  ${w.slower.map((n) => String(n).padStart(8)).join('')}  ${`${w.maxMs} ms`.padStart(7)}  ${`${w.loopDelayMs} ms`.padStart(16)}`,
    ),
  ];
}
