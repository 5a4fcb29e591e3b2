import { esc } from './html-escape';
import type { ReportModel } from './report-model';
import { linearScale, offsetLabel, timeTicks } from './time-axis';

const WIDTH = 880;
const HEIGHT = 168;
const LEFT = 72;
const RIGHT = 16;
const AXIS_Y = 88;

/**
 * The watch at a glance, as inline SVG on the same time axis as the charts: the bake and
 * verification phases as bands, and a labelled mark (`data-mark`) for the deploy, the breach
 * onset, the confirmation, the cutover, the recovery check and the outcome. Labels alternate
 * above and below the axis so close marks stay readable.
 */
export function timelineChart(model: ReportModel): string {
  const x = linearScale(model.domain, [LEFT, WIDTH - RIGHT]);
  const parts: string[] = [];
  for (const band of model.bands) {
    const x0 = x(band.start);
    const x1 = x(band.end);
    parts.push(
      `<rect class="band band-${band.phase}" x="${n(x0)}" y="${AXIS_Y - 14}" width="${n(Math.max(1, x1 - x0))}" height="28"><title>${esc(band.phase === 'bake' ? 'bake: the new version is watched' : 'verification: the restored version is watched')}</title></rect>`,
    );
    if (x1 - x0 > 48) {
      parts.push(
        `<text class="band-label" x="${n(x0 + 4)}" y="${AXIS_Y + 4}">${band.phase === 'bake' ? 'bake' : 'verify'}</text>`,
      );
    }
  }
  parts.push(`<line class="axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${AXIS_Y}" y2="${AXIS_Y}"/>`);
  for (const tick of timeTicks(model.domain, model.origin, 8)) {
    parts.push(
      `<line class="grid" x1="${n(x(tick))}" x2="${n(x(tick))}" y1="${AXIS_Y + 14}" y2="${AXIS_Y + 18}"/>`,
    );
    parts.push(
      `<text class="tick" x="${n(x(tick))}" y="${AXIS_Y + 30}" text-anchor="middle">${esc(offsetLabel(tick, model.origin))}</text>`,
    );
  }
  const sorted = [...model.marks].sort((a, b) => a.at - b.at);
  sorted.forEach((mark, i) => {
    const above = i % 2 === 0;
    const mx = x(mark.at);
    const labelY = above ? 18 + (i % 4 === 0 ? 0 : 16) : AXIS_Y + 48 + (i % 4 === 1 ? 0 : 14);
    const anchor = mx < LEFT + 60 ? 'start' : mx > WIDTH - RIGHT - 60 ? 'end' : 'middle';
    parts.push(
      `<g class="mark mark-${esc(mark.id)}" data-mark="${esc(mark.id)}"><title>${esc(`${mark.label} ${offsetLabel(mark.at, model.origin)} ${new Date(mark.at).toISOString()} ${mark.detail}`)}</title>` +
        `<line x1="${n(mx)}" x2="${n(mx)}" y1="${above ? labelY + 4 : AXIS_Y}" y2="${above ? AXIS_Y : labelY - 12}"/>` +
        `<circle cx="${n(mx)}" cy="${AXIS_Y}" r="5"/>` +
        `<text x="${n(mx)}" y="${labelY}" text-anchor="${anchor}">${esc(`${mark.label} ${offsetLabel(mark.at, model.origin)}`)}</text></g>`,
    );
  });
  return `<svg class="timeline" role="img" aria-label="timeline of the watch" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

function n(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}
