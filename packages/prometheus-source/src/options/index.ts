/**
 * `@rollgate/prometheus-source/options`: the source's option types and their check, without the
 * HTTP client (undici) the source itself loads.
 */
export { checkPrometheusSourceOptions } from './check-options';
export type {
  PemInput,
  PrometheusAuth,
  PrometheusSourceOptions,
  PrometheusTlsOptions,
} from './prometheus-source-options';
