/**
 * `@rollgate/newrelic-source/options`: the source's options schema (what a configuration file
 * and `createNewRelicSource` accept, with its secret field) and option types, without the HTTP
 * client (undici) the source itself loads.
 */

export {
  type HealthQueryOptions,
  MAX_CONCURRENT_REQUESTS,
  NERDGRAPH_ENDPOINTS,
  type NewRelicRegion,
  type NewRelicSourceOptions,
  type NewRelicSourceOptionsInput,
  type NewRelicSourceOptionsParsed,
  NewRelicSourceOptionsSchema,
  NRQL_TIMEOUT_RANGE,
  type ResourceQueryOptions,
  type TransactionQueryOptions,
} from './newrelic-source-options-schema';
