/**
 * `@rollgate/newrelic-source/options`: the source's option types and their check, without the
 * HTTP client (undici) the source itself loads.
 */
export { checkNewRelicSourceOptions } from './check-options';
export type {
  HealthQueryOptions,
  NewRelicRegion,
  NewRelicSourceOptions,
  ResourceQueryOptions,
  TransactionQueryOptions,
} from './newrelic-source-options';
