/**
 * `@rollgate/prometheus-source/options`: the source's options schema (what a configuration file
 * and `createPrometheusSource` accept, with its path and secret fields) and option types, without
 * the HTTP client (undici) the source itself loads.
 */

export type {
  PemInput,
  PrometheusAuth,
  PrometheusSourceOptions,
  PrometheusTlsOptions,
} from './prometheus-source-options';
export {
  MAX_TIMEOUT_MS,
  type PrometheusSourceOptionsInput,
  type PrometheusSourceOptionsParsed,
  PrometheusSourceOptionsSchema,
} from './prometheus-source-options-schema';
