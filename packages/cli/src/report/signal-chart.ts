import type { AuditPoint } from '@rollgate/core';
import { formatValue, type ValueUnit } from '../format/value-format';
import { esc } from './html-escape';
import { ms, type ReportModel } from './report-model';
import { linearScale, offsetLabel, timeTicks, valueTicks } from './time-axis';

/** What one signal's chart shows. */
export interface SignalChartInput {
  readonly signal: string;
  readonly unit: ValueUnit;
  readonly points: readonly AuditPoint[];
  /** The pre-deploy level in the same unit as the values, when known. */
  readonly baseline: number | null;
}

const WIDTH = 880;
const HEIGHT = 220;
const PAD = { left: 72, right: 16, top: 14, bottom: 30 } as const;
const STATUS_CLASS: Record<AuditPoint['status'], string> = {
  pass: 'pt-pass',
  breach: 'pt-breach',
  'no-data': 'pt-nodata',
  error: 'pt-error',
};
const MARKS_ON_CHARTS = new Set(['deploy', 'confirmation', 'cutover']);

/**
 * One signal's chart as inline SVG: the value per evaluation (points coloured by verdict, a gap
 * where there was none), the threshold it was judged against (dashed), the pre-deploy baseline
 * (dotted), bake and verification shading, and the deploy, confirmation and cutover marks. The
 * time axis is shared with the timeline so the charts line up.
 */
export function signalChart(input: SignalChartInput, model: ReportModel): string {
  const x = linearScale(model.domain, [PAD.left, WIDTH - PAD.right]);
  const points = input.points
    .map((p) => ({ ...p, t: ms(p.at) }))
    .filter((p): p is AuditPoint & { t: number } => p.t !== null)
    .sort((a, b) => a.t - b.t);
  const levels = [...points.flatMap((p) => [p.value, p.threshold]), input.baseline].filter(
    (v): v is number => v !== null && Number.isFinite(v),
  );
  const top = levels.length === 0 ? 1 : Math.max(...levels, 0);
  const bottom = Math.min(0, ...levels);
  const yMax = top === bottom ? top + 1 : top + (top - bottom) * 0.12;
  const y = linearScale([bottom, yMax], [HEIGHT - PAD.bottom, PAD.top]);
  const plotH = HEIGHT - PAD.bottom - PAD.top;
  const parts: string[] = [];

  for (const band of model.bands) {
    const x0 = x(band.start);
    const x1 = x(band.end);
    parts.push(
      `<rect class="band band-${band.phase}" x="${n(x0)}" y="${PAD.top}" width="${n(Math.max(1, x1 - x0))}" height="${plotH}"><title>${esc(band.phase === 'bake' ? 'bake (new version)' : 'verification (restored version)')}</title></rect>`,
    );
  }
  for (const tick of valueTicks(bottom, yMax)) {
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${n(y(tick))}" y2="${n(y(tick))}"/>`,
    );
    parts.push(
      `<text class="tick" x="${PAD.left - 6}" y="${n(y(tick) + 4)}" text-anchor="end">${esc(formatValue(tick, input.unit))}</text>`,
    );
  }
  for (const tick of timeTicks(model.domain, model.origin)) {
    parts.push(
      `<text class="tick" x="${n(x(tick))}" y="${HEIGHT - 10}" text-anchor="middle">${esc(offsetLabel(tick, model.origin))}</text>`,
    );
  }
  for (const mark of model.marks.filter((m) => MARKS_ON_CHARTS.has(m.id))) {
    parts.push(
      `<line class="mark-line mark-${mark.id}" data-mark="${esc(mark.id)}" x1="${n(x(mark.at))}" x2="${n(x(mark.at))}" y1="${PAD.top}" y2="${HEIGHT - PAD.bottom}"><title>${esc(`${mark.label} ${offsetLabel(mark.at, model.origin)}`)}</title></line>`,
    );
  }
  if (input.baseline !== null && Number.isFinite(input.baseline)) {
    parts.push(
      `<line class="baseline" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${n(y(input.baseline))}" y2="${n(y(input.baseline))}"><title>${esc(`pre-deploy baseline ${formatValue(input.baseline, input.unit)}`)}</title></line>`,
    );
  }
  const thresholdPath = stepPath(
    points.filter((p) => p.threshold !== null).map((p) => [x(p.t), y(p.threshold as number)] as const),
  );
  if (thresholdPath) parts.push(`<path class="threshold" d="${thresholdPath}"/>`);
  for (const run of runs(points)) {
    if (run.length > 1)
      parts.push(
        `<polyline class="value" points="${run.map((p) => `${n(x(p.t))},${n(y(p.value as number))}`).join(' ')}"/>`,
      );
  }
  for (const p of points) {
    if (p.value === null) {
      parts.push(
        `<rect class="${STATUS_CLASS[p.status]} missing" x="${n(x(p.t) - 2)}" y="${HEIGHT - PAD.bottom - 5}" width="4" height="5"><title>${esc(pointTitle(p, input.unit, model.origin))}</title></rect>`,
      );
      continue;
    }
    parts.push(
      `<circle class="${STATUS_CLASS[p.status]}" cx="${n(x(p.t))}" cy="${n(y(p.value))}" r="${p.status === 'breach' ? 3.5 : 2.5}"><title>${esc(pointTitle(p, input.unit, model.origin))}</title></circle>`,
    );
  }
  if (points.length === 0) {
    parts.push(
      `<text class="empty" x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no evaluations were recorded for this signal</text>`,
    );
  }
  parts.push(
    `<rect class="frame" x="${PAD.left}" y="${PAD.top}" width="${WIDTH - PAD.left - PAD.right}" height="${plotH}"/>`,
  );
  return `<svg class="signal-chart" data-signal="${esc(input.signal)}" role="img" aria-label="${esc(`${input.signal}: values, threshold and baseline over the watch`)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
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
    `${p.status}: ${formatValue(p.value, unit)}`,
    `threshold ${formatValue(p.threshold, unit)}`,
  ];
  if (p.statistic !== undefined && p.statistic !== null)
    parts.push(`statistic ${formatValue(p.statistic, 'number')}`);
  return parts.join(' · ');
}

function n(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}
