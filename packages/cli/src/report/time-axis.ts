/** A linear scale from a domain to a pixel range. */
export interface Scale {
  (value: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
}

/** A linear scale; a zero-width domain maps to the middle of the range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  const scale = ((value: number) =>
    span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0)) as Scale;
  return Object.assign(scale, { domain, range });
}

const STEPS_SECONDS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400,
];

/** Tick times (epoch ms) at round offsets from `origin`, about `count` of them over the domain. */
export function timeTicks(domain: readonly [number, number], origin: number, count = 6): number[] {
  const spanSeconds = Math.max(1, (domain[1] - domain[0]) / 1000);
  const step = (STEPS_SECONDS.find((s) => spanSeconds / s <= count) ?? 86400) * 1000;
  const first = origin + Math.ceil((domain[0] - origin) / step) * step;
  const ticks: number[] = [];
  for (let t = first; t <= domain[1] && ticks.length < 50; t += step) ticks.push(t);
  return ticks;
}

/** Round value ticks from 0 (or the minimum) to the maximum, about `count` of them. */
export function valueTicks(min: number, max: number, count = 4): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9 && ticks.length < 20; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** `+45s`, `+2m30s`, `-10s`: a time relative to the deploy. */
export function offsetLabel(ms: number, origin: number): string {
  const seconds = Math.round((ms - origin) / 1000);
  const sign = seconds < 0 ? '-' : '+';
  const s = Math.abs(seconds);
  if (s < 60) return `${sign}${s}s`;
  if (s < 3600)
    return `${sign}${Math.floor(s / 60)}m${s % 60 === 0 ? '' : `${String(s % 60).padStart(2, '0')}s`}`;
  return `${sign}${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
