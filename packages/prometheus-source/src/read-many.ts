import type { MetricRequest, PortContext, ReadResult } from '@rollgate/core';
import { planBatches } from './promql/batch-plan';
import type { ResolvedMetricNames } from './promql/metric-names';
import { buildPromql } from './promql/query-builders';
import type { PrometheusReply } from './reply/envelope';
import { toReadResult } from './reply/to-read-result';

/** What {@link readManyGrouped} needs from the source that owns the connection. */
export interface ReadManyDeps {
  readonly names: ResolvedMetricNames;
  /** The source's own `read`: for requests that go alone, and for those that cannot be built. */
  readonly read: (request: MetricRequest, ctx: PortContext) => Promise<ReadResult>;
  /** Sends one query over `range`'s start, end and step; a failure is the result to give. */
  readonly query: (
    range: MetricRequest,
    promql: string,
    ctx: PortContext,
  ) => Promise<{ ok: true; value: PrometheusReply } | { ok: false; error: ReadResult }>;
}

/** The reply restricted to the series of one group value, as the request for that value alone would get it. */
function slice(reply: PrometheusReply, label: string, value: string): PrometheusReply {
  return { ...reply, series: reply.series.filter((s) => (s.metric[label] ?? '') === value) };
}

/**
 * `readMany` for Prometheus: requests that differ only in one selector label's value go as one
 * grouped query each (`label=~"a|b|..."`, `sum by (label, ...)`, see `planBatches`), the rest
 * through `read`, all concurrently. Each request gets what `read` would give it: a value the
 * reply has no series for is `no-data` (never healthy); a failed or malformed reply is that
 * query's error for every request it carried, and for no other; the reply's warnings are
 * `partial` on every request of that query.
 */
export async function readManyGrouped(
  requests: readonly MetricRequest[],
  ctx: PortContext,
  deps: ReadManyDeps,
): Promise<ReadResult[]> {
  const results: (ReadResult | undefined)[] = new Array(requests.length);
  // A request PromQL cannot express fails alone, with read's own error; it never joins a group.
  const buildable = requests.map((request) => {
    try {
      buildPromql(request, deps.names);
      return true;
    } catch {
      return false;
    }
  });
  const plan = planBatches(requests, (index) => buildable[index] === true);
  const work: Promise<void>[] = [];
  for (const index of plan.singles) {
    work.push(
      deps.read(requests[index] as MetricRequest, ctx).then((result) => {
        results[index] = result;
      }),
    );
  }
  for (const grouped of plan.groups) {
    const promql = buildPromql(grouped.template, deps.names, grouped.group);
    work.push(
      deps.query(grouped.template, promql, ctx).then((reply) => {
        for (const { index, value } of grouped.members) {
          results[index] = reply.ok
            ? toReadResult(slice(reply.value, grouped.group.label, value), requests[index] as MetricRequest)
            : reply.error;
        }
      }),
    );
  }
  await Promise.all(work);
  return results as ReadResult[];
}
