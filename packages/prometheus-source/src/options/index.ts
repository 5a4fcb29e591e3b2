/**
 * `@rollgate/prometheus-source/options`: the source's options schema (what a configuration file
 * and `createPrometheusSource` accept, with its path and secret fields), the exposition source's
 * (`createExpositionSource`), and the option types derived from them, without the HTTP client
 * (undici) the sources themselves load.
 */

export {
  type ExpositionSourceOptions,
  ExpositionSourceOptionsSchema,
  type ExpositionTarget,
} from '../exposition/exposition-source-options-schema';
export {
  MAX_TIMEOUT_MS,
  type PemInput,
  type PrometheusAuth,
  PrometheusAuthSchema,
  type PrometheusMetricNames,
  PrometheusMetricNamesSchema,
  type PrometheusSourceOptions,
  type PrometheusSourceOptionsInput,
  type PrometheusSourceOptionsParsed,
  PrometheusSourceOptionsSchema,
  type PrometheusTlsOptions,
} from './prometheus-source-options-schema';
