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

/** Points are immutable and shared between consecutive snapshots: each is encoded once. */
const encoded = new WeakMap<AuditPoint, StoredPoint | AuditPoint>();

function encodePoint(p: AuditPoint): StoredPoint | AuditPoint {
  const known = encoded.get(p);
  if (known) return known;
  const at = Date.parse(p.at);
  let out: StoredPoint | AuditPoint = p;
  if (p.warnings === undefined && Number.isFinite(at) && new Date(at).toISOString() === p.at) {
    const head = [at, p.phase, p.rule ?? null, p.status, p.value, p.threshold] as const;
    out = 'statistic' in p && p.statistic !== undefined ? [...head, p.statistic] : head;
  }
  encoded.set(p, out);
  return out;
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

/** The snapshot as a StateStore saves it: chart points as compact tuples. */
export function encodeStoredSnapshot(snapshot: MachineSnapshot): unknown {
  const series: Record<string, readonly (StoredPoint | AuditPoint)[]> = {};
  for (const [signal, points] of Object.entries(snapshot.series)) series[signal] = points.map(encodePoint);
  return { ...snapshot, series };
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
