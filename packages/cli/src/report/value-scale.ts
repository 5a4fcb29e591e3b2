import { valueTicks } from './time-axis';

/** Value to y; `ticks` are the round values to label. */
export interface ValueScale {
  (value: number): number;
  readonly ticks: readonly number[];
  /** True for the log-like scale (linear near zero), chosen when values span decades. */
  readonly log: boolean;
}

/** Values above this many times their median call for a log-like scale. */
const SPREAD_FOR_LOG = 20;
/** Headroom above the largest value, as a share of the plot height. */
const HEADROOM = 0.08;

/**
 * The y scale of a signal chart, from every value it draws (points, thresholds, the pre-deploy
 * series and level). Usually linear from 0 (or the minimum) to just above the maximum. When the
 * non-negative values span decades (a 20% error spike over a 0.5% baseline and a recovery back
 * to it), a linear axis would flatten everything but the spike onto zero, so the scale is
 * log-like instead: `log10(1 + v / c)`, linear around zero (which stays drawable) and
 * logarithmic above `c`, the level of the small values.
 */
export function valueScale(values: readonly number[], bottom: number, top: number): ValueScale {
  const finite = values.filter((v) => Number.isFinite(v));
  const positives = finite.filter((v) => v > 0).sort((a, b) => a - b);
  const min = Math.min(0, ...finite);
  const max = Math.max(0, ...finite);
  const median = positives[Math.floor(positives.length / 2)] ?? 0;
  if (min >= 0 && median > 0 && max / median > SPREAD_FOR_LOG) {
    const small = positives[Math.floor(positives.length / 10)] ?? median;
    // A tenth of the small values' level: they sit well clear of zero (which stays on the axis)
    // and their changes stay visible.
    const c = Math.max(small / 10, max / 1e5);
    const f = (v: number) => Math.sign(v) * Math.log10(1 + Math.abs(v) / c);
    const hi = f(max) * (1 + HEADROOM);
    const scale = ((v: number) => bottom + (f(v) / hi) * (top - bottom)) as ValueScale;
    return Object.assign(scale, { ticks: spaced(logTicks(c, max), scale), log: true });
  }
  const hi = max === min ? min + (max === 0 ? 1 : Math.abs(max)) : max;
  const ticks = valueTicks(min, hi);
  const top1 = Math.max(hi, ticks.at(-1) ?? hi);
  const span = top1 - min;
  const domainTop = top1 + span * HEADROOM;
  const scale = ((v: number) => bottom + ((v - min) / (domainTop - min)) * (top - bottom)) as ValueScale;
  return Object.assign(scale, { ticks: spaced(ticks, scale), log: false });
}

/** Drops ticks closer than a label's height to the previous one, so labels never overlap. */
function spaced(ticks: readonly number[], y: (v: number) => number): number[] {
  const kept: number[] = [];
  for (const t of ticks) {
    const prev = kept.at(-1);
    if (prev === undefined || Math.abs(y(t) - y(prev)) >= 14) kept.push(t);
  }
  return kept;
}

/** 0 and round values (1, 2, 5 times a power of ten) from about `c` up to `max`. */
function logTicks(c: number, max: number): number[] {
  const out = [0];
  const candidates: number[] = [];
  for (let e = Math.floor(Math.log10(c)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= c * 0.9 && v <= max * 1.0001) candidates.push(v);
    }
  }
  const decades = candidates.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
  out.push(...(decades.length >= 3 ? decades : candidates).slice(0, 6));
  return out;
}
