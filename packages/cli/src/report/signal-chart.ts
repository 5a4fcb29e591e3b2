import type { AuditPoint } from '@rollgate/core';
import { formatValue, type ValueUnit } from '../format/value-format';
import { esc } from './html-escape';
import { textWidth } from './label-layout';
import { ms, type ReportModel } from './report-model';
import { offsetLabel } from './time-axis';
import { type TimeScale, timeAxisTicks, timeScale } from './time-scale';
import { valueScale } from './value-scale';

/** What one signal's chart shows. */
export interface SignalChartInput {
  readonly signal: string;
  readonly unit: ValueUnit;
  readonly points: readonly AuditPoint[];
  /** The pre-deploy level in the same unit as the values, when known. */
  readonly baseline: number | null;
  /** The pre-deploy window as points in the same unit (the audit's `baseline.signals[id].series`). */
  readonly before?: readonly { readonly at: string; readonly value: number | null }[];
}

/** Geometry shared with the timeline, so the charts line up with it. */
export const CHART_WIDTH = 880;
export const CHART_LEFT = 72;
export const CHART_RIGHT = 16;
const HEIGHT = 236;
const TOP = 14;
/** The plot ends here; below it, the lane for evaluations without a value, then the time labels. */
const PLOT_BOTTOM = HEIGHT - 44;
const LANE_Y = PLOT_BOTTOM + 11;
const STATUS_CLASS: Record<AuditPoint['status'], string> = {
  pass: 'pt-pass',
  breach: 'pt-breach',
  'no-data': 'pt-nodata',
  error: 'pt-error',
};
const MARKS_ON_CHARTS = new Set(['deploy', 'confirmation', 'cutover', 'recovery']);

/** What a chart drew, for its legend. */
export interface SignalChart {
  readonly svg: string;
  /** Whether the y axis is log-like (values spanning decades). */
  readonly log: boolean;
  /** Which kinds of evaluation without a value there were (drawn in the lane under the plot). */
  readonly missing: readonly ('no-data' | 'error')[];
  /** Whether the pre-deploy window is drawn as a series. */
  readonly before: boolean;
}

/**
 * One signal's chart as inline SVG. Left of the deploy, the pre-deploy window (its series, on a
 * compressed panel when it is long); right of it, the value at each evaluation of the bake and
 * the verification, points coloured by verdict. The threshold (dashed, a step line) and the
 * pre-deploy level (dotted) are labelled with their values. Evaluations without a value are
 * drawn in a lane under the plot, never as a value of 0. The y scale turns log-like when values
 * span decades, so a spike does not flatten the baseline and the recovery onto zero.
 */
export function signalChart(input: SignalChartInput, model: ReportModel): SignalChart {
  const x = timeScale(model, CHART_LEFT, CHART_WIDTH - CHART_RIGHT);
  const points = input.points
    .map((p) => ({ ...p, t: ms(p.at) }))
    .filter((p): p is AuditPoint & { t: number } => p.t !== null)
    .sort((a, b) => a.t - b.t);
  const before = (input.before ?? [])
    .map((p) => ({ t: ms(p.at), value: p.value }))
    .filter((p): p is { t: number; value: number | null } => p.t !== null)
    .sort((a, b) => a.t - b.t);
  const levels = [
    ...points.flatMap((p) => [p.value, p.threshold]),
    ...before.map((p) => p.value),
    input.baseline,
  ].filter((v): v is number => v !== null && Number.isFinite(v));
  // Points are inset by their radius so none is cut by the frame.
  const y = valueScale(levels, PLOT_BOTTOM - 5, TOP + 5);
  const parts: string[] = [];

  for (const band of model.bands)
    spanRects(x, band.start, band.end, `band band-${band.phase}`, parts, bandTitle(band.phase));
  if (model.baselineWindow) {
    spanRects(
      x,
      model.baselineWindow.start,
      model.origin,
      'band band-baseline',
      parts,
      'pre-deploy baseline window',
    );
  }
  for (const tick of y.ticks) {
    const ty = y(tick);
    for (const p of x.panels) {
      parts.push(`<line class="grid" x1="${n(p.x0)}" x2="${n(p.x1)}" y1="${n(ty)}" y2="${n(ty)}"/>`);
    }
    parts.push(
      `<text class="tick ytick" x="${CHART_LEFT - 6}" y="${n(ty + 4)}" text-anchor="end">${esc(formatValue(tick, input.unit))}</text>`,
    );
  }
  for (const tick of timeAxisTicks(x, model.origin)) {
    parts.push(
      `<text class="tick xtick" x="${n(tick.x)}" y="${HEIGHT - 8}" text-anchor="middle">${esc(tick.label)}</text>`,
    );
  }
  if (x.broken) {
    const base = x.panels[0];
    if (base && base.x1 - base.x0 > 90) {
      parts.push(`<text class="panel-label" x="${n(base.x0 + 6)}" y="${TOP + 12}">before the deploy</text>`);
    }
  }
  for (const mark of model.marks.filter((m) => MARKS_ON_CHARTS.has(m.id))) {
    parts.push(
      `<line class="mark-line mark-${mark.id}" data-mark="${esc(mark.id)}" x1="${n(x(mark.at))}" x2="${n(x(mark.at))}" y1="${TOP}" y2="${PLOT_BOTTOM}"><title>${esc(`${mark.label} ${offsetLabel(mark.at, model.origin)}`)}</title></line>`,
    );
  }

  // The pre-deploy series (its last point, at the deploy, still belongs to the "before" side),
  // then the watch's values.
  const xb = (t: number) => x(Math.min(t, model.origin - 1));
  for (const run of runs(before)) {
    parts.push(
      `<polyline class="value-before" points="${run.map((p) => `${n(xb(p.t))},${n(y(p.value as number))}`).join(' ')}"/>`,
    );
  }
  for (const p of before) {
    if (p.value === null) continue;
    parts.push(
      `<circle class="pt-before" cx="${n(xb(p.t))}" cy="${n(y(p.value))}" r="1.8"><title>${esc(`before the deploy ${offsetLabel(p.t, model.origin)}: ${formatValue(p.value, input.unit)}`)}</title></circle>`,
    );
  }

  const labels: { y: number; text: string; cls: string; x: number; anchor: 'start' | 'end' }[] = [];
  const watch = x.panels.at(-1) ?? { x0: CHART_LEFT, x1: CHART_WIDTH - CHART_RIGHT };
  if (input.baseline !== null && Number.isFinite(input.baseline)) {
    const by = y(input.baseline);
    parts.push(
      `<line class="baseline" x1="${n(x.panels[0]?.x0 ?? CHART_LEFT)}" x2="${n(watch.x1)}" y1="${n(by)}" y2="${n(by)}"><title>${esc(`pre-deploy baseline ${formatValue(input.baseline, input.unit)}`)}</title></line>`,
    );
    labels.push({
      y: by,
      text: `baseline ${formatValue(input.baseline, input.unit)}`,
      cls: 'line-label label-baseline',
      x: watch.x0 + 8,
      anchor: 'start',
    });
  }
  const withThreshold = points.filter((p) => p.threshold !== null && Number.isFinite(p.threshold));
  const thresholdPath = stepPath(withThreshold.map((p) => [x(p.t), y(p.threshold as number)] as const));
  if (thresholdPath) {
    parts.push(`<path class="threshold" d="${thresholdPath}"/>`);
    const last = withThreshold.at(-1) as AuditPoint & { t: number };
    labels.push({
      y: y(last.threshold as number),
      text: `threshold ${formatValue(last.threshold, input.unit)}`,
      cls: 'line-label label-threshold',
      x: watch.x1 - 6,
      anchor: 'end',
    });
  }
  for (const run of runs(points)) {
    if (run.length > 1)
      parts.push(
        `<polyline class="value" points="${run.map((p) => `${n(x(p.t))},${n(y(p.value as number))}`).join(' ')}"/>`,
      );
  }
  const missing = new Set<'no-data' | 'error'>();
  for (const p of points) {
    if (p.value === null || !Number.isFinite(p.value)) {
      missing.add(p.status === 'error' ? 'error' : 'no-data');
      const cx = x(p.t);
      parts.push(
        p.status === 'error'
          ? `<path class="missing miss-error" d="M${n(cx - 3)},${LANE_Y - 3} l6,6 m0,-6 l-6,6"><title>${esc(pointTitle(p, input.unit, model.origin))}</title></path>`
          : `<rect class="missing miss-nodata" x="${n(cx - 2.5)}" y="${LANE_Y - 2.5}" width="5" height="5"><title>${esc(pointTitle(p, input.unit, model.origin))}</title></rect>`,
      );
      continue;
    }
    parts.push(
      `<circle class="${STATUS_CLASS[p.status]}" cx="${n(x(p.t))}" cy="${n(y(p.value))}" r="${p.status === 'breach' ? 3.5 : 2.5}"><title>${esc(pointTitle(p, input.unit, model.origin))}</title></circle>`,
    );
  }
  if (missing.size > 0) {
    parts.push(
      `<text class="tick lane-label" x="${CHART_LEFT - 6}" y="${LANE_Y + 4}" text-anchor="end">no value</text>`,
    );
  }
  for (const label of spreadLabels(labels)) {
    parts.push(
      `<text class="${label.cls}" x="${n(label.x)}" y="${n(label.y)}" text-anchor="${label.anchor}">${esc(label.text)}</text>`,
    );
  }
  if (points.length === 0) {
    parts.push(
      `<text class="empty" x="${n((watch.x0 + watch.x1) / 2)}" y="${(TOP + PLOT_BOTTOM) / 2}" text-anchor="middle">no evaluations were recorded for this signal</text>`,
    );
  }
  for (const p of x.panels) {
    parts.push(
      `<rect class="frame" data-panel="${p.kind}" x="${n(p.x0)}" y="${TOP}" width="${n(p.x1 - p.x0)}" height="${PLOT_BOTTOM - TOP}"/>`,
    );
  }
  if (x.broken) {
    const gap = ((x.panels[0]?.x1 ?? 0) + (x.panels[1]?.x0 ?? 0)) / 2;
    for (const yy of [TOP, PLOT_BOTTOM]) {
      parts.push(`<path class="axis-break" d="M${n(gap - 6)},${yy + 5} l5,-10 m2,10 l5,-10"/>`);
    }
  }
  const svg = `<svg class="signal-chart" data-signal="${esc(input.signal)}" data-scale="${y.log ? 'log' : 'linear'}" role="img" aria-label="${esc(`${input.signal}: before the deploy, the values of the watch, its threshold and the pre-deploy level`)}" viewBox="0 0 ${CHART_WIDTH} ${HEIGHT}" width="${CHART_WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
  return {
    svg,
    log: y.log,
    missing: (['no-data', 'error'] as const).filter((k) => missing.has(k)),
    before: before.some((p) => p.value !== null),
  };
}

function bandTitle(phase: 'bake' | 'verify'): string {
  return phase === 'bake' ? 'bake (new version)' : 'verification (restored version)';
}

/** A rectangle per panel for the part of `[start, end]` each panel shows. */
function spanRects(
  x: TimeScale,
  start: number,
  end: number,
  cls: string,
  parts: string[],
  title: string,
): void {
  for (const p of x.panels) {
    const a = Math.max(start, p.from);
    const b = Math.min(end, p.to);
    if (b <= a) continue;
    const x0 = a <= p.from ? p.x0 : x(a);
    const x1 = b >= p.to ? p.x1 : x(b);
    if (x1 - x0 < 0.5) continue;
    parts.push(
      `<rect class="${cls}" x="${n(x0)}" y="${TOP}" width="${n(x1 - x0)}" height="${PLOT_BOTTOM - TOP}"><title>${esc(title)}</title></rect>`,
    );
  }
}

/**
 * Line labels just above their line, inside the plot; when two are within a line of each other
 * (a threshold equal to the baseline) the lower one moves below its line.
 */
function spreadLabels<T extends { y: number; text: string; x: number; anchor: 'start' | 'end' }>(
  labels: readonly T[],
): T[] {
  const placed = labels.map((l) => ({ ...l, y: Math.max(TOP + 12, Math.min(PLOT_BOTTOM - 3, l.y - 4)) }));
  if (placed.length === 2) {
    const [a, b] = placed as [T, T];
    const aBox = a.anchor === 'start' ? [a.x, a.x + textWidth(a.text)] : [a.x - textWidth(a.text), a.x];
    const bBox = b.anchor === 'start' ? [b.x, b.x + textWidth(b.text)] : [b.x - textWidth(b.text), b.x];
    const overlapX = (aBox[0] as number) < (bBox[1] as number) && (bBox[0] as number) < (aBox[1] as number);
    if (overlapX && Math.abs(a.y - b.y) < 13) {
      const lower = a.y >= b.y ? a : b;
      lower.y = Math.min(PLOT_BOTTOM - 3, lower.y + 16);
    }
  }
  return placed;
}

/** Consecutive points with a value: the line breaks where a value is missing. */
function runs<T extends { readonly value: number | null }>(points: readonly T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  for (const p of points) {
    if (p.value === null || !Number.isFinite(p.value)) {
      if (current.length > 0) out.push(current);
      current = [];
    } else current.push(p);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** A step line: each threshold holds until the next evaluation. */
function stepPath(points: readonly (readonly [number, number])[]): string {
  if (points.length === 0) return '';
  const [first, ...rest] = points as [readonly [number, number], ...(readonly [number, number])[]];
  let d = `M${n(first[0])},${n(first[1])}`;
  let lastY = first[1];
  for (const [px, py] of rest) {
    d += ` H${n(px)}`;
    if (py !== lastY) d += ` V${n(py)}`;
    lastY = py;
  }
  if (points.length === 1) d += ` h4`;
  return d;
}

function pointTitle(p: AuditPoint & { t: number }, unit: ValueUnit, origin: number): string {
  const parts = [
    `${p.at} (${offsetLabel(p.t, origin)}, ${p.phase})`,
    `${p.status}: ${p.value === null ? 'no value' : formatValue(p.value, unit)}`,
    `threshold ${formatValue(p.threshold, unit)}`,
  ];
  if (p.statistic !== undefined && p.statistic !== null)
    parts.push(`statistic ${formatValue(p.statistic, 'number')}`);
  return parts.join(' · ');
}

function n(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}
