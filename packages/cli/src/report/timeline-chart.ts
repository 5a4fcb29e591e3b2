import { esc } from './html-escape';
import { assignLanes, placeLabel, textWidth } from './label-layout';
import type { ReportModel } from './report-model';
import { CHART_LEFT, CHART_RIGHT, CHART_WIDTH } from './signal-chart';
import { offsetLabel } from './time-axis';
import { type TimeScale, timeAxisTicks, timeScale } from './time-scale';

const LANE_HEIGHT = 17;
/** Above the top lane. */
const TOP = 8;

/**
 * The watch at a glance, as inline SVG on the same time axis as the charts: the pre-deploy
 * window, the bake and the verification as bands, and a labelled mark (`data-mark`) for the
 * deploy, the breach onset, the confirmation, the cutover, the recovery check and the outcome.
 * Labels sit above the axis in as many lanes as it takes for no two to overlap, each with a
 * leader line to its moment; time labels are below the axis.
 */
export function timelineChart(model: ReportModel): string {
  const x = timeScale(model, CHART_LEFT, CHART_WIDTH - CHART_RIGHT);
  const sorted = [...model.marks].sort((a, b) => a.at - b.at);
  const labels = sorted.map((mark) => {
    const text = `${mark.label} ${offsetLabel(mark.at, model.origin)}`;
    return { mark, text, ...placeLabel(x(mark.at), textWidth(text, true), 2, CHART_WIDTH - 2) };
  });
  const lanes = assignLanes(labels, 10);
  const laneCount = Math.max(1, ...lanes.map((l) => l + 1));
  const axisY = TOP + laneCount * LANE_HEIGHT + 22;
  const height = axisY + 40;
  const parts: string[] = [];

  const band = (start: number, end: number, cls: string, title: string, label: string) => {
    for (const p of x.panels) {
      const a = Math.max(start, p.from);
      const b = Math.min(end, p.to);
      if (b <= a) continue;
      const x0 = a <= p.from ? p.x0 : x(a);
      const x1 = b >= p.to ? p.x1 : x(b);
      if (x1 - x0 < 0.5) continue;
      parts.push(
        `<rect class="${cls}" x="${n(x0)}" y="${axisY - 14}" width="${n(x1 - x0)}" height="28"><title>${esc(title)}</title></rect>`,
      );
      if (x1 - x0 > textWidth(label) + 12) {
        parts.push(`<text class="band-label" x="${n(x0 + 8)}" y="${axisY + 11}">${esc(label)}</text>`);
      }
    }
  };
  if (model.baselineWindow) {
    band(
      model.baselineWindow.start,
      model.origin,
      'band band-baseline',
      'the pre-deploy baseline window',
      'baseline',
    );
  }
  for (const b of model.bands) {
    band(
      b.start,
      b.end,
      `band band-${b.phase}`,
      b.phase === 'bake'
        ? 'bake: the new version is watched'
        : 'verification: the restored version is watched',
      b.phase === 'bake' ? 'bake' : 'verify',
    );
  }
  for (const p of x.panels) {
    parts.push(`<line class="axis" x1="${n(p.x0)}" x2="${n(p.x1)}" y1="${axisY}" y2="${axisY}"/>`);
  }
  breakMarker(x, axisY, parts);
  for (const tick of timeAxisTicks(x, model.origin)) {
    parts.push(
      `<line class="grid" x1="${n(tick.x)}" x2="${n(tick.x)}" y1="${axisY + 14}" y2="${axisY + 18}"/>`,
    );
    parts.push(
      `<text class="tick" x="${n(tick.x)}" y="${axisY + 30}" text-anchor="middle">${esc(tick.label)}</text>`,
    );
  }
  labels.forEach((label, i) => {
    const { mark } = label;
    const mx = x(mark.at);
    const labelY = axisY - 22 - (lanes[i] ?? 0) * LANE_HEIGHT;
    parts.push(
      `<g class="mark mark-${esc(mark.id)}" data-mark="${esc(mark.id)}"><title>${esc(`${mark.label} ${offsetLabel(mark.at, model.origin)} ${new Date(mark.at).toISOString()} ${mark.detail}`)}</title>` +
        `<line x1="${n(mx)}" x2="${n(mx)}" y1="${labelY + 4}" y2="${axisY - 5}"/>` +
        `<circle cx="${n(mx)}" cy="${axisY}" r="5"/>` +
        `<text x="${n(label.x)}" y="${labelY}" text-anchor="${label.anchor}">${esc(label.text)}</text></g>`,
    );
  });
  return `<svg class="timeline" role="img" aria-label="timeline of the watch" viewBox="0 0 ${CHART_WIDTH} ${height}" width="${CHART_WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

function breakMarker(x: TimeScale, y: number, parts: string[]): void {
  if (!x.broken) return;
  const gap = ((x.panels[0]?.x1 ?? 0) + (x.panels[1]?.x0 ?? 0)) / 2;
  parts.push(`<path class="axis-break" d="M${n(gap - 6)},${y + 5} l5,-10 m2,10 l5,-10"/>`);
}

function n(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}
