import type { ReadResult, Sample, Series } from '@rollgate/core';
import { RollgateError } from '@rollgate/core';
import type { NrqlPlan, ValueUnit } from '../nrql/query-builders';
import type { NrqlRow } from './classify';

const COMPONENT = 'newrelic-source';

/** Keys NRQL adds to a row besides the selected value. */
const ROW_METADATA = new Set(['beginTimeSeconds', 'endTimeSeconds', 'facet']);

class BadRow extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The raw number a row holds, `undefined` when it holds none (null, `{}`, `{"99": null}`).
 * A value may be a number or an object keyed by the percentile threshold (`{"99": 0.23}`).
 */
function numberIn(value: unknown, key: string, threshold: string | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    throw new BadRow(
      `value under ${JSON.stringify(key)} is a list; NRQL for a signal must select one number`,
    );
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return undefined;
    const chosen =
      entries.length === 1
        ? entries[0]
        : entries.find(([k]) => threshold !== undefined && Number(k) === Number(threshold));
    if (chosen === undefined) {
      throw new BadRow(
        `value under ${JSON.stringify(key)} holds several thresholds (${entries.map(([k]) => k).join(', ')}); select one`,
      );
    }
    return numberIn(chosen[1], `${key}.${chosen[0]}`, undefined);
  }
  throw new BadRow(`value under ${JSON.stringify(key)} is a ${typeof value}, not a number`);
}

function rowValue(row: NrqlRow, plan: NrqlPlan): number | undefined {
  if (plan.alias !== undefined && plan.alias in row)
    return numberIn(row[plan.alias], plan.alias, plan.threshold);
  const keys = Object.keys(row).filter((k) => !ROW_METADATA.has(k) && k !== plan.facet);
  if (keys.length === 0) return undefined;
  if (keys.length > 1) {
    throw new BadRow(
      `row has several values (${keys.map((k) => JSON.stringify(k)).join(', ')}); the NRQL must select exactly one`,
    );
  }
  const key = keys[0] as string;
  return numberIn(row[key], key, plan.threshold);
}

function toUnit(raw: number, unit: ValueUnit): number {
  switch (unit) {
    case 'as-is':
      return raw;
    case 'seconds-to-ms':
      // Round away binary noise (0.2345 * 1000 = 234.49999999999997) without losing precision.
      return Number.isFinite(raw) ? Number((raw * 1000).toPrecision(15)) : raw;
    case 'percent-to-fraction':
      return raw / 100;
  }
}

function sampleTime(row: NrqlRow, plan: NrqlPlan): number {
  if (!plan.timeseries) return plan.sampleTime;
  const end = row.endTimeSeconds;
  if (typeof end !== 'number' || !Number.isFinite(end)) {
    throw new BadRow('TIMESERIES row lacks a numeric endTimeSeconds');
  }
  return Math.round(end * 1000);
}

function facetLabel(row: NrqlRow, facet: string): string {
  const value = facet in row ? row[facet] : row.facet;
  if (value === undefined) throw new BadRow(`FACET row lacks the facet value for ${JSON.stringify(facet)}`);
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  throw new BadRow(`FACET value for ${JSON.stringify(facet)} is not a string`);
}

/**
 * Turns NRQL result rows into the port's series: sample times from `endTimeSeconds` × 1000 (or
 * the request's `end` without TIMESERIES), `duration` seconds to milliseconds, `percentage()`
 * 0..100 to a fraction, one series per facet value. `[]`, `[{}]` and rows holding only `null`
 * become `no-data`; NaN is dropped; a row that is not a NRQL result for one value is
 * `SOURCE_BAD_RESPONSE`.
 */
export function normaliseResults(rows: readonly NrqlRow[], plan: NrqlPlan): ReadResult {
  if (rows.length === 0) return { status: 'no-data', reason: 'NRQL returned no result rows' };
  const bySegment = new Map<string, Sample[]>();
  let rowsWithoutValue = 0;
  try {
    for (const row of rows) {
      const raw = rowValue(row, plan);
      if (raw === undefined || Number.isNaN(raw)) {
        rowsWithoutValue += 1;
        continue;
      }
      const t = sampleTime(row, plan);
      const label = plan.facet === undefined ? '' : facetLabel(row, plan.facet);
      const v = toUnit(raw, plan.unit);
      if (Number.isNaN(v)) continue;
      const samples = bySegment.get(label) ?? [];
      samples.push({ t, v });
      bySegment.set(label, samples);
    }
  } catch (error) {
    if (!(error instanceof BadRow)) throw error;
    return {
      status: 'error',
      error: new RollgateError('SOURCE_BAD_RESPONSE', `The NRQL result is not usable: ${error.message}.`, {
        component: COMPONENT,
        details: { rows: rows.length },
      }),
    };
  }
  if (bySegment.size === 0) {
    return {
      status: 'no-data',
      reason: `NRQL returned ${rows.length} row(s) with no value (null or empty); ${rowsWithoutValue} skipped`,
    };
  }
  const series: Series[] = [...bySegment.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([label, samples]) => ({
      labels: plan.facet === undefined ? {} : { [plan.facet]: label },
      samples: samples.sort((a, b) => a.t - b.t),
    }));
  return { status: 'ok', series };
}
