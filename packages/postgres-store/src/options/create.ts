import type { StoreDeps } from '@rollgate/core';
import { openPostgresStores, type PostgresStores } from '../open-postgres-stores';
import type { PostgresStoreOptionsParsed } from './postgres-store-options-schema';

/**
 * Opens the stores from options a host has already checked with `PostgresStoreOptionsSchema`
 * (`state` of a configuration file, `type: postgres`): the store's entry in the CLI's registry.
 * `deps` are the host's: the signer, how many verified artifacts to keep, the lease duration.
 */
export function create(options: PostgresStoreOptionsParsed, deps: StoreDeps): PostgresStores {
  return openPostgresStores({
    url: options.url,
    schema: options.schema ?? 'rollgate',
    signer: deps.signer,
    keep: deps.keep,
    leaseTtlMs: deps.leaseTtlMs,
    ...(options.migrations === undefined ? {} : { migrations: options.migrations }),
  });
}
