// Everything the light options entry point exports (the schema and the option types).
export * from './config/index';
export type { ClassifyContext, NrqlRow, ReplyHeaders } from './nerdgraph/classify';
export { classify } from './nerdgraph/classify';
export type { NrqlQueryVariables } from './nerdgraph/graphql-document';
export { NRQL_QUERY_DOCUMENT, nerdGraphRequestBody } from './nerdgraph/graphql-document';
export { normaliseResults } from './nerdgraph/normalise-results';
export { nrqlIdentifier, nrqlNumber, nrqlString } from './nrql/nrql-literals';
export type { NrqlPlan, ValueUnit } from './nrql/query-builders';
export { MAX_NRQL_BYTES, MAX_TIMESERIES_BUCKETS } from './nrql/query-builders';
export { create } from './source/create';
export { createNewRelicSource } from './source/newrelic-source';
