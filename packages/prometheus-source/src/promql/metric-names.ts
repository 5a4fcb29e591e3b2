import type { LabelMatcher } from './label-matchers';

/**
 * Which series each built-in measure reads. Every field is optional; the defaults are the
 * conventional names client libraries, cAdvisor and kube-state-metrics export.
 */
export interface PrometheusMetricNames {
  /** Request counter with a status-code label (default `http_requests_total`). */
  readonly requests?: string;
  /** The status-code label of `requests` (default `code`; some exporters use `status`). */
  readonly statusLabel?: string;
  /** RE2 pattern of status codes that count as errors (default `5..`). */
  readonly errorStatusPattern?: string;
  /**
   * Base name of the classic latency histogram; `_bucket` and `_count` are appended
   * (default `http_request_duration_seconds`).
   */
  readonly latencyHistogram?: string;
  /**
   * Unit of the histogram's `le` boundaries. Default: `milliseconds` when the base name ends in
   * `_milliseconds` or `_ms`, otherwise `seconds`.
   */
  readonly latencyUnit?: 'seconds' | 'milliseconds';
  /**
   * Memory gauge in bytes (default `process_resident_memory_bytes`; for Kubernetes use
   * `container_memory_working_set_bytes`, which gets `container!="", container!="POD"` added).
   */
  readonly memory?: string;
  /**
   * CPU-seconds counter (default `process_cpu_seconds_total`; for Kubernetes use
   * `container_cpu_usage_seconds_total`, which gets the same container matchers).
   */
  readonly cpu?: string;
  /**
   * 0/1 readiness gauge averaged into a fraction (default `up`; for Kubernetes use
   * `kube_pod_status_ready`, which gets `condition="true"` added).
   */
  readonly ready?: string;
  /**
   * Restart counter (default `kube_pod_container_status_restarts_total`). Set it to
   * `process_start_time_seconds` to count instances whose start time changed in each step
   * (works with any client library, no Kubernetes needed).
   */
  readonly restarts?: string;
}

/** {@link PrometheusMetricNames} with every default filled in. */
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

/** The defaults of {@link PrometheusMetricNames}. */
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
