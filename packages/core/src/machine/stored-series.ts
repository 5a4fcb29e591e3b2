import type { AuditPoint } from '../audit/audit-record';
import type { MachineSnapshot } from './machine-state';

/**
 * A chart point as saved in a StateStore: `[atMs, phase, rule | null, status, value, threshold]`,
 * plus the statistic when the point has one. Half the JSON of the point object (no keys, the
 * time as a number), and the snapshot is serialised at every transition. A point with warnings,
 * or whose time is not a canonical ISO instant, is saved as the object itself.
 */
type StoredPoint =
  | readonly [number, AuditPoint['phase'], string | null, AuditPoint['status'], number | null, number | null]
  | readonly [
      number,
      AuditPoint['phase'],
      string | null,
      AuditPoint['status'],
      number | null,
      number | null,
      number | null,
    ];

/**
 * The epoch ms of points already seen, or NaN for a point kept as an object. Points are immutable
 * and shared between consecutive snapshots, so each time is parsed and checked once; the tuples
 * themselves are built at each save and dropped with it (caching them would keep a second copy
 * of every chart in memory).
 */
const times = new WeakMap<AuditPoint, number>();

function encodePoint(p: AuditPoint): StoredPoint | AuditPoint {
  let at = times.get(p);
  if (at === undefined) {
    const parsed = Date.parse(p.at);
    at =
      p.warnings === undefined && Number.isFinite(parsed) && new Date(parsed).toISOString() === p.at
        ? parsed
        : Number.NaN;
    times.set(p, at);
  }
  if (Number.isNaN(at)) return p;
  const head = [at, p.phase, p.rule ?? null, p.status, p.value, p.threshold] as const;
  return 'statistic' in p && p.statistic !== undefined ? [...head, p.statistic] : head;
}

function decodePoint(stored: unknown): unknown {
  if (!Array.isArray(stored)) return stored;
  const [at, phase, rule, status, value, threshold] = stored as unknown[];
  return {
    at: new Date(at as number).toISOString(),
    phase,
    ...(rule === null ? {} : { rule }),
    status,
    value,
    threshold,
    ...(stored.length > 6 ? { statistic: stored[6] } : {}),
  };
}

/** Chart series with every point in its stored form (a compact tuple, or the object itself). */
export function encodeSeries(
  series: Readonly<Record<string, readonly AuditPoint[]>>,
  from?: Readonly<Record<string, number>>,
): Record<string, readonly (StoredPoint | AuditPoint)[]> {
  const out: Record<string, readonly (StoredPoint | AuditPoint)[]> = {};
  for (const signal in series) {
    const points = series[signal] as readonly AuditPoint[];
    const start = from?.[signal] ?? 0;
    const encoded: (StoredPoint | AuditPoint)[] = [];
    for (let i = start; i < points.length; i++) encoded.push(encodePoint(points[i] as AuditPoint));
    out[signal] = encoded;
  }
  return out;
}

/** The snapshot as a StateStore saves it in one piece: chart points as compact tuples. */
export function encodeStoredSnapshot(snapshot: MachineSnapshot): unknown {
  return { ...snapshot, series: encodeSeries(snapshot.series) };
}

/**
 * Chart points of a stored snapshot back as objects; snapshots saved before the compact form
 * (points as objects) pass through unchanged. Other fields are left as they are.
 */
export function decodeStoredSeries(value: Record<string, unknown>): Record<string, unknown> {
  const series = value.series;
  if (series === null || typeof series !== 'object') return value;
  const entries = Object.entries(series as Record<string, unknown>);
  if (!entries.some(([, points]) => Array.isArray(points) && points.some((p) => Array.isArray(p))))
    return value;
  return {
    ...value,
    series: Object.fromEntries(
      entries.map(([signal, points]) => [signal, Array.isArray(points) ? points.map(decodePoint) : points]),
    ),
  };
}
