import type { PrometheusMetricNames } from '../options/prometheus-source-options-schema';
import type { LabelMatcher } from './label-matchers';

/** The metric names (`PrometheusMetricNamesSchema`, the `metrics` option) with every default filled in. */
export interface ResolvedMetricNames {
  readonly requests: string;
  readonly statusLabel: string;
  readonly errorStatusPattern: string;
  readonly latencyHistogram: string;
  readonly latencyUnit: 'seconds' | 'milliseconds';
  readonly memory: string;
  readonly cpu: string;
  readonly ready: string;
  readonly restarts: string;
}

/** The defaults of the metric names (the `metrics` option). */
export const DEFAULT_METRIC_NAMES: ResolvedMetricNames = {
  requests: 'http_requests_total',
  statusLabel: 'code',
  errorStatusPattern: '5..',
  latencyHistogram: 'http_request_duration_seconds',
  latencyUnit: 'seconds',
  memory: 'process_resident_memory_bytes',
  cpu: 'process_cpu_seconds_total',
  ready: 'up',
  restarts: 'kube_pod_container_status_restarts_total',
};

/** Fills in the defaults (names are validated by the options check). */
export function resolveMetricNames(names: PrometheusMetricNames = {}): ResolvedMetricNames {
  const latencyHistogram = names.latencyHistogram ?? DEFAULT_METRIC_NAMES.latencyHistogram;
  const inferredUnit = /(_milliseconds|_ms)$/.test(latencyHistogram) ? 'milliseconds' : 'seconds';
  return {
    requests: names.requests ?? DEFAULT_METRIC_NAMES.requests,
    statusLabel: names.statusLabel ?? DEFAULT_METRIC_NAMES.statusLabel,
    errorStatusPattern: names.errorStatusPattern ?? DEFAULT_METRIC_NAMES.errorStatusPattern,
    latencyHistogram,
    latencyUnit: names.latencyUnit ?? inferredUnit,
    memory: names.memory ?? DEFAULT_METRIC_NAMES.memory,
    cpu: names.cpu ?? DEFAULT_METRIC_NAMES.cpu,
    ready: names.ready ?? DEFAULT_METRIC_NAMES.ready,
    restarts: names.restarts ?? DEFAULT_METRIC_NAMES.restarts,
  };
}

/**
 * Matchers a well-known metric always needs. cAdvisor exports each container's figures once per
 * container and again for the whole pod (`container=""`) and the pause container
 * (`container="POD"`), so summing without these matchers double counts. kube-state-metrics
 * exports `kube_pod_status_ready` once per condition; only `condition="true"` is "ready".
 */
export function implicitMatchers(metric: string): LabelMatcher[] {
  if (metric.startsWith('container_')) {
    return [
      { name: 'container', op: '!=', value: '' },
      { name: 'container', op: '!=', value: 'POD' },
    ];
  }
  if (metric === 'kube_pod_status_ready') return [{ name: 'condition', op: '=', value: 'true' }];
  return [];
}
