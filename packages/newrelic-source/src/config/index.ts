/**
 * `@rollgate/newrelic-source/options`: the source's options schema (what a configuration file
 * and `createNewRelicSource` accept, with its secret field) and option types, without the HTTP
 * client (undici) the source itself loads.
 */

export type {
  HealthQueryOptions,
  NewRelicRegion,
  NewRelicSourceOptions,
  ResourceQueryOptions,
  TransactionQueryOptions,
} from './newrelic-source-options';
export {
  type NewRelicSourceOptionsInput,
  type NewRelicSourceOptionsParsed,
  NewRelicSourceOptionsSchema,
  NRQL_TIMEOUT_RANGE,
} from './newrelic-source-options-schema';
