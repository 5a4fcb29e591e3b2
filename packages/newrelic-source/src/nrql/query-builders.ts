import type { MetricQuery, MetricRequest, Selector } from '@rollgate/core';
import { RollgateError } from '@rollgate/core';
import type { NrqlSettings } from '../config/resolve-options';
import { nrqlIdentifier, nrqlNumber, nrqlString } from './nrql-literals';

const COMPONENT = 'newrelic-source';

/** NRQL returns at most 366 TIMESERIES buckets per query. */
export const MAX_TIMESERIES_BUCKETS = 366;

/** NRQL query strings must stay under 4 KB. */
export const MAX_NRQL_BYTES = 4096;

/** How a raw NRQL number becomes a sample value in the port's units. */
export type ValueUnit = 'as-is' | 'seconds-to-ms' | 'percent-to-fraction';

/**
 * One read translated to NRQL, with what the reply normaliser needs to interpret the rows.
 */
export interface NrqlPlan {
  readonly nrql: string;
  /** The `AS` label of the selected value; `undefined` for raw NRQL (the value may sit under any key). */
  readonly alias: string | undefined;
  readonly unit: ValueUnit;
  /** True when the query has `TIMESERIES`: each row's `endTimeSeconds` gives its sample time. */
  readonly timeseries: boolean;
  /** Sample time (epoch ms) of the single row of a query without `TIMESERIES`. */
  readonly sampleTime: number;
  /** The `FACET` attribute, which is also the label name of each series. */
  readonly facet: string | undefined;
  /** The percentile asked for, as NRQL writes it (`"99"`, `"99.9"`), to pick it from a threshold object. */
  readonly threshold: string | undefined;
}

/** A built-in measure's SELECT, or the caller's own NRQL for `raw`. */
type Selection =
  | {
      readonly kind: 'built';
      readonly select: string;
      readonly alias: string;
      readonly from: string;
      readonly where: readonly string[];
      readonly unit: ValueUnit;
      readonly threshold?: string;
    }
  | { readonly kind: 'raw'; readonly text: string };

function badQuery(message: string, details?: Readonly<Record<string, unknown>>): RollgateError {
  return new RollgateError('SOURCE_BAD_QUERY', message, {
    component: COMPONENT,
    ...(details === undefined ? {} : { details }),
  });
}

/** `selector` entries as equality conditions, keys sorted so the NRQL is stable. */
function selectorConditions(selector: Selector): string[] {
  if (typeof selector !== 'object' || selector === null)
    throw badQuery('The query selector must be an object.');
  return Object.keys(selector)
    .sort()
    .map((key) => {
      const value = selector[key];
      if (typeof value !== 'string') {
        throw badQuery(`Selector value for ${JSON.stringify(key)} must be a string.`);
      }
      return `${nrqlIdentifier(key)} = ${nrqlString(value)}`;
    });
}

/** Writes a quantile (0 < q <= 1) as the percentile NRQL expects (0.99 → 99, 0.999 → 99.9). */
function percentileOf(quantile: number): string {
  if (typeof quantile !== 'number' || !Number.isFinite(quantile) || quantile <= 0 || quantile > 1) {
    throw badQuery(
      `latency-quantile needs a quantile in (0, 1] such as 0.99; got ${String(quantile)}. NRQL's percentile(duration, 99) is quantile 0.99.`,
    );
  }
  // 0.99 * 100 is 99.00000000000001 in binary floating point.
  return nrqlNumber(Number((quantile * 100).toPrecision(12)));
}

function selection(query: MetricQuery, settings: NrqlSettings): Selection {
  const transactions = nrqlIdentifier(settings.transactionEventType);
  switch (query.measure) {
    case 'requests':
      return {
        kind: 'built',
        select: 'count(*)',
        alias: 'requests',
        from: transactions,
        where: selectorConditions(query.selector),
        unit: 'as-is',
      };
    case 'errors':
      return {
        kind: 'built',
        select: `filter(count(*), WHERE ${settings.errorWhere})`,
        alias: 'errors',
        from: transactions,
        where: selectorConditions(query.selector),
        unit: 'as-is',
      };
    case 'latency-quantile': {
      const threshold = percentileOf(query.quantile);
      return {
        kind: 'built',
        select: `percentile(\`duration\`, ${threshold})`,
        alias: 'latency',
        from: transactions,
        where: selectorConditions(query.selector),
        unit: 'seconds-to-ms',
        threshold,
      };
    }
    case 'latency-exceedances': {
      const { thresholdMs } = query;
      if (typeof thresholdMs !== 'number' || !Number.isFinite(thresholdMs) || thresholdMs < 0) {
        throw badQuery(`latency-exceedances needs thresholdMs >= 0; got ${String(thresholdMs)}.`);
      }
      // `duration` is in seconds; the threshold arrives in milliseconds.
      const seconds = nrqlNumber(Number((thresholdMs / 1000).toPrecision(15)));
      return {
        kind: 'built',
        select: `filter(count(*), WHERE \`duration\` > ${seconds})`,
        alias: 'exceedances',
        from: transactions,
        where: selectorConditions(query.selector),
        unit: 'as-is',
      };
    }
    case 'memory':
      return {
        kind: 'built',
        select: `${settings.resourceAggregation}(${settings.memoryExpression})`,
        alias: 'memory',
        from: nrqlIdentifier(settings.resourceEventType),
        where: selectorConditions(query.selector),
        unit: 'as-is',
      };
    case 'cpu':
      return {
        kind: 'built',
        select: `${settings.resourceAggregation}(${settings.cpuExpression})`,
        alias: 'cpu',
        from: nrqlIdentifier(settings.resourceEventType),
        where: selectorConditions(query.selector),
        unit: 'as-is',
      };
    case 'ready':
      if (settings.health.source === 'event') {
        return {
          kind: 'built',
          select: `percentage(count(*), WHERE ${settings.health.readyWhere})`,
          alias: 'ready',
          from: nrqlIdentifier(settings.health.eventType),
          where: selectorConditions(query.selector),
          unit: 'percent-to-fraction',
        };
      }
      return {
        kind: 'built',
        select: `average(${nrqlIdentifier(settings.health.metricName)})`,
        alias: 'ready',
        from: 'Metric',
        where: selectorConditions(query.selector),
        unit: 'as-is',
      };
    case 'restarts':
      throw badQuery(
        "newrelic-source has no built-in NRQL for 'restarts': New Relic records restart counts as cumulative gauges whose per-step increase NRQL cannot compute exactly. Use measure 'raw' with valueType 'count' and a query that counts restart events (for example from InfrastructureEvent).",
      );
    case 'raw': {
      const text = typeof query.query === 'string' ? query.query.trim() : '';
      if (text.length === 0)
        throw badQuery("measure 'raw' needs a non-empty NRQL query (SELECT ... FROM ...).");
      return { kind: 'raw', text };
    }
    default: {
      const measure = (query as { measure?: unknown }).measure;
      throw badQuery(`Unknown measure ${JSON.stringify(measure)}.`);
    }
  }
}

interface TimeWindow {
  readonly clause: string;
  readonly timeseries: boolean;
}

function timeWindow(request: MetricRequest): TimeWindow {
  const { start, end, stepMs } = request;
  for (const [name, value] of [
    ['start', start],
    ['end', end],
    ['stepMs', stepMs],
  ] as const) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw badQuery(
        `Request ${name} must be an integer number of epoch milliseconds; got ${String(value)}.`,
      );
    }
  }
  if (stepMs <= 0) throw badQuery(`Request stepMs must be > 0; got ${stepMs}.`);
  if (end < start) throw badQuery(`Request end (${end}) is before start (${start}).`);
  if (start === end) {
    // One sample covering (end - stepMs, end]: NRQL's SINCE is inclusive and UNTIL exclusive.
    return { clause: `SINCE ${end - stepMs} UNTIL ${end}`, timeseries: false };
  }
  if (stepMs % 1000 !== 0) {
    throw badQuery(
      `NRQL TIMESERIES buckets are whole seconds; stepMs ${stepMs} is not. Use a step that is a multiple of 1000 ms.`,
      { stepMs },
    );
  }
  const buckets = Math.ceil((end - start) / stepMs) + 1;
  if (buckets > MAX_TIMESERIES_BUCKETS) {
    throw badQuery(
      `The range asks for ${buckets} samples but NRQL returns at most ${MAX_TIMESERIES_BUCKETS} TIMESERIES buckets per query. Read at most ${MAX_TIMESERIES_BUCKETS} samples at a time, or use a larger step.`,
      { buckets, maxBuckets: MAX_TIMESERIES_BUCKETS },
    );
  }
  // One extra step before `start` so the first bucket ends at `start`; NRQL anchors buckets on
  // UNTIL, so every bucket ends at end - k * stepMs.
  return {
    clause: `SINCE ${start - stepMs} UNTIL ${end} TIMESERIES ${stepMs / 1000} seconds`,
    timeseries: true,
  };
}

/**
 * Translates a {@link MetricRequest} into NRQL (see docs/adapters/newrelic.md for the query per
 * measure). Throws `SOURCE_BAD_QUERY` when the request cannot be expressed: an unsupported
 * measure, a step that is not whole seconds, more than 366 buckets, a name NRQL cannot quote,
 * or a query over 4 KB.
 */
export function buildNrql(request: MetricRequest, settings: NrqlSettings): NrqlPlan {
  if (typeof request !== 'object' || request === null || typeof request.query !== 'object') {
    throw badQuery('The request must carry a query.');
  }
  const chosen = selection(request.query, settings);
  const window = timeWindow(request);
  const facet = request.segmentBy;
  if (facet !== undefined && typeof facet !== 'string') throw badQuery('segmentBy must be a string.');
  const facetClause = facet === undefined ? '' : ` FACET ${nrqlIdentifier(facet)} LIMIT MAX`;
  let nrql: string;
  if (chosen.kind === 'raw') {
    nrql = `${chosen.text}${facetClause} ${window.clause}`;
  } else {
    const where = chosen.where.length === 0 ? '' : ` WHERE ${chosen.where.join(' AND ')}`;
    nrql = `SELECT ${chosen.select} AS ${nrqlString(chosen.alias)} FROM ${chosen.from}${where}${facetClause} ${window.clause}`;
  }
  const bytes = new TextEncoder().encode(nrql).length;
  if (bytes >= MAX_NRQL_BYTES) {
    throw badQuery(`The NRQL is ${bytes} bytes; NRQL queries must stay under 4 KB. Shorten the selector.`, {
      bytes,
    });
  }
  return {
    nrql,
    alias: chosen.kind === 'raw' ? undefined : chosen.alias,
    unit: chosen.kind === 'raw' ? 'as-is' : chosen.unit,
    timeseries: window.timeseries,
    sampleTime: request.end,
    facet,
    threshold: chosen.kind === 'raw' ? undefined : chosen.threshold,
  };
}
