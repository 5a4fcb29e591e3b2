/**
 * `@rollgate/testkit/prometheus`: a real, local Prometheus and a drivable exporter for tests,
 * the demo and benchmarks. Node only; it never imports vitest, so scripts can use it too.
 */
export type { FindPrometheusBinaryOptions } from './find-prometheus-binary';
export { findPrometheusBinary, PROMETHEUS_INSTALL_HINT } from './find-prometheus-binary';
export type { RunningPrometheus, ScrapeTarget, StartPrometheusOptions } from './start-prometheus';
export { freeLoopbackPort, startPrometheus } from './start-prometheus';
export type {
  ExporterLabels,
  RequestBatch,
  ScrapeInfo,
  TestExporter,
  TestExporterOptions,
} from './test-exporter';
export { DEFAULT_LATENCY_BUCKETS, startTestExporter } from './test-exporter';
