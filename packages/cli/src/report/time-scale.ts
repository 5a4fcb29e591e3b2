import type { ReportModel } from './report-model';
import { offsetLabel, timeTicks } from './time-axis';

/** One stretch of the time axis: `[from, to]` (epoch ms) drawn from `x0` to `x1`. */
export interface TimePanel {
  readonly kind: 'baseline' | 'watch';
  readonly from: number;
  readonly to: number;
  readonly x0: number;
  readonly x1: number;
}

/** A labelled time tick. */
export interface TimeTick {
  readonly t: number;
  readonly x: number;
  readonly label: string;
}

/** Epoch ms to x; the panels say where each stretch of time is drawn. */
export interface TimeScale {
  (t: number): number;
  readonly panels: readonly TimePanel[];
  /** True when the pre-deploy window is drawn in its own, compressed panel. */
  readonly broken: boolean;
  readonly left: number;
  readonly right: number;
}

/** Width of the pre-deploy panel when the axis is broken, as a share of the plot. */
const BASELINE_SHARE = 0.22;
/** Space between the two panels of a broken axis. */
const GAP = 14;
/** Inside each panel, so a point at its first or last time is not cut by the frame. */
const INSET = 6;

/**
 * The time axis every chart of the report shares (so they line up): the pre-deploy baseline
 * window, then the watch. When the baseline window is much longer than the watch (30 minutes
 * before a 3 minute watch), it gets its own compressed panel left of the deploy and the axis is
 * broken there; otherwise one linear axis covers both.
 */
export function timeScale(model: ReportModel, left: number, right: number): TimeScale {
  const [from, to] = model.domain;
  const baseline = model.baselineWindow;
  const watchSpan = Math.max(1, to - model.origin);
  const broken = baseline !== null && baseline.end - baseline.start > 0.6 * watchSpan;
  const panels: TimePanel[] = [];
  if (broken && baseline) {
    const split = left + (right - left - GAP) * BASELINE_SHARE;
    panels.push({ kind: 'baseline', from, to: model.origin, x0: left, x1: split });
    panels.push({ kind: 'watch', from: model.origin, to, x0: split + GAP, x1: right });
  } else {
    panels.push({ kind: 'watch', from, to, x0: left, x1: right });
  }
  const map = (p: TimePanel, t: number) => {
    const span = p.to - p.from;
    const a = p.x0 + INSET;
    const b = p.x1 - INSET;
    const clamped = Math.min(p.to, Math.max(p.from, t));
    return span <= 0 ? (a + b) / 2 : a + ((clamped - p.from) / span) * (b - a);
  };
  const scale = ((t: number) =>
    map(
      broken && t < model.origin ? (panels[0] as TimePanel) : (panels.at(-1) as TimePanel),
      t,
    )) as TimeScale;
  return Object.assign(scale, { panels, broken, left, right });
}

/**
 * Round time ticks of every panel, labelled as offsets from the deploy (`-30m`, `+0s`, `+1m30s`),
 * thinned so that no two labels overlap.
 */
export function timeAxisTicks(scale: TimeScale, origin: number, charWidth = 6.4): TimeTick[] {
  const ticks: TimeTick[] = [];
  for (const panel of scale.panels) {
    const count = Math.max(2, Math.floor((panel.x1 - panel.x0) / 90));
    for (const t of timeTicks([panel.from, panel.to], origin, count)) {
      if (t < panel.from || t > panel.to) continue;
      if (scale.broken && panel.kind === 'watch' && t < origin) continue;
      ticks.push({ t, x: scale(t), label: offsetLabel(t, origin) });
    }
  }
  const kept: TimeTick[] = [];
  for (const tick of ticks.sort((a, b) => a.x - b.x)) {
    const half = (tick.label.length * charWidth) / 2;
    const prev = kept.at(-1);
    if (prev && tick.x - half < prev.x + (prev.label.length * charWidth) / 2 + 10) continue;
    if (tick.x - half < 2 || tick.x + half > scale.right + 14) continue;
    kept.push(tick);
  }
  return kept;
}
