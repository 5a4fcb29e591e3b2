/**
 * `@rollgate/postgres-store/options`: the stores' options schema (what a configuration file's
 * `state` of `type: postgres` holds, with its secret), without the PostgreSQL driver the stores
 * load.
 */
export {
  type PostgresStoreOptions,
  type PostgresStoreOptionsParsed,
  PostgresStoreOptionsSchema,
} from './postgres-store-options-schema';
