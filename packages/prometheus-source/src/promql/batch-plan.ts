import type { MetricRequest } from '@rollgate/core';
import type { LabelGroup } from './query-builders';

/**
 * Most values in one grouped query. Keeps a query's regex a modest literal alternation and its
 * text (the selector appears up to ten times in a count query) well below proxy body limits,
 * however many services a fleet reads.
 */
export const MAX_GROUP_VALUES = 200;

/** Requests answered by one grouped query: `members[i]` reads the series of `group.label = values[i]`. */
export interface GroupedQuery {
  /** The first member's request: every member equals it except for the group label's value. */
  readonly template: MetricRequest;
  readonly group: LabelGroup;
  /** Indexes into the planned requests, with the label value each one reads. */
  readonly members: readonly { readonly index: number; readonly value: string }[];
}

/** How {@link planBatches} splits a `readMany`: grouped queries, and requests read one by one. */
export interface BatchPlan {
  readonly groups: readonly GroupedQuery[];
  readonly singles: readonly number[];
}

/** Labels the grouped query cannot aggregate by without changing what a request means. */
const NOT_GROUPABLE = new Set(['le', '__name__']);

/**
 * The key of everything in a request except the value of `label`: requests with the same key
 * differ only in that value, so one query with `label=~"a|b"` and `by (label)` answers them all.
 */
function groupKey(request: MetricRequest, label: string): string | undefined {
  const query = request.query;
  if (query.measure === 'raw') return undefined;
  const value = query.selector[label];
  // An empty value means "label absent"; a regex alternation cannot keep that apart cleanly.
  if (value === undefined || value === '' || NOT_GROUPABLE.has(label) || label === request.segmentBy) {
    return undefined;
  }
  const rest = Object.keys(query.selector)
    .filter((name) => name !== label)
    .sort()
    .map((name) => [name, query.selector[name]]);
  return JSON.stringify([
    label,
    query.measure,
    'quantile' in query ? query.quantile : null,
    'thresholdMs' in query ? query.thresholdMs : null,
    request.start,
    request.end,
    request.stepMs,
    request.segmentBy ?? null,
    rest,
  ]);
}

/**
 * Groups requests whose queries differ only in one selector label's value (service="a" and
 * service="b", same measure, range, step and other labels) into grouped queries of at most
 * {@link MAX_GROUP_VALUES} values; the rest (raw queries, requests alike in nothing, or
 * requests `candidate` rejects) are read one by one. A request that could group by several
 * labels joins the largest group. Deterministic: the same requests give the same plan.
 */
export function planBatches(
  requests: readonly MetricRequest[],
  candidate: (index: number) => boolean = () => true,
): BatchPlan {
  const keysOf: { key: string; label: string }[][] = [];
  const counts = new Map<string, number>();
  requests.forEach((request, index) => {
    const keys: { key: string; label: string }[] = [];
    if (candidate(index) && request.query.measure !== 'raw') {
      for (const label of Object.keys(request.query.selector).sort()) {
        const key = groupKey(request, label);
        if (key === undefined) continue;
        keys.push({ key, label });
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    keysOf.push(keys);
  });

  const chosen = new Map<string, { label: string; indexes: number[] }>();
  const singles: number[] = [];
  keysOf.forEach((keys, index) => {
    let best: { key: string; label: string } | undefined;
    for (const k of keys)
      if (best === undefined || (counts.get(k.key) ?? 0) > (counts.get(best.key) ?? 0)) best = k;
    if (best === undefined || (counts.get(best.key) ?? 0) < 2) {
      singles.push(index);
      return;
    }
    const entry = chosen.get(best.key) ?? { label: best.label, indexes: [] };
    entry.indexes.push(index);
    chosen.set(best.key, entry);
  });

  const groups: GroupedQuery[] = [];
  for (const { label, indexes } of chosen.values()) {
    const labelValueOf = (index: number): string => {
      const query = (requests[index] as MetricRequest).query;
      return query.measure === 'raw' ? '' : (query.selector[label] ?? '');
    };
    // Distinct values in first-seen order, cut into queries of at most MAX_GROUP_VALUES values;
    // requests for the same value share its series.
    const distinct = [...new Set(indexes.map(labelValueOf))];
    if (distinct.length < 2) {
      singles.push(...indexes);
      continue;
    }
    for (let from = 0; from < distinct.length; from += MAX_GROUP_VALUES) {
      const values = distinct.slice(from, from + MAX_GROUP_VALUES);
      const inChunk = new Set(values);
      const members = indexes
        .filter((i) => inChunk.has(labelValueOf(i)))
        .map((index) => ({ index, value: labelValueOf(index) }));
      if (values.length < 2) {
        singles.push(...members.map((m) => m.index));
        continue;
      }
      const first = members[0] as { index: number };
      groups.push({ template: requests[first.index] as MetricRequest, group: { label, values }, members });
    }
  }
  singles.sort((a, b) => a - b);
  return { groups, singles };
}
