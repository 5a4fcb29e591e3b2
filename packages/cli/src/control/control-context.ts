import {
  listStoredWatches,
  type PortContext,
  pendingControlRequests,
  type StateStore,
  type StoredWatch,
  summarizeWatch,
  type WatchStatus,
} from '@rollgate/core';
import { type ParsedArgs, stringOption } from '../cli/arg-parser';
import { findConfigFile, type LoadedConfig, loadConfig } from '../config/load-config';
import type { Io } from '../io/io';
import { openStateStore } from '../wiring/state-layout';

/** What `status` and `promote|abort|retry` work from: the configuration and its state store. */
export interface ControlContext {
  readonly loaded: LoadedConfig;
  readonly state: StateStore;
  /** Where the snapshots are (a directory, or the database without its password), for messages. */
  readonly where: string;
  /** Closes what the state store holds open (a database pool); idempotent. */
  close(): Promise<void>;
}

/** Loads the configuration (`--config`, `$ROLLGATE_CONFIG`, or rollgate.yaml here) and opens its state store. */
export async function openControlContext(args: ParsedArgs, io: Io): Promise<ControlContext> {
  const loaded = await loadConfig(await findConfigFile(stringOption(args, 'config'), io.cwd, io.env), io.env);
  const opened = await openStateStore(loaded.config.state);
  return { loaded, state: opened.store, where: opened.where, close: opened.close };
}

/** A port context for one CLI call. */
export function cliContext(ms = 30_000): PortContext {
  return { signal: new AbortController().signal, deadline: Date.now() + ms };
}

/** Every stored watch (of `service` when given), with its status at `now`, newest first. */
export async function readStatuses(
  state: StateStore,
  service: string | undefined,
  now: number,
): Promise<{ readonly statuses: WatchStatus[]; readonly damaged: StoredWatch[] }> {
  const ctx = cliContext();
  const listed = await listStoredWatches(state, ctx, service === undefined ? {} : { service });
  if (!listed.ok) throw listed.error;
  const statuses: WatchStatus[] = [];
  const damaged: StoredWatch[] = [];
  for (const entry of listed.value) {
    if (!('snapshot' in entry)) {
      damaged.push(entry);
      continue;
    }
    const pending = await pendingControlRequests(state, entry.snapshot, ctx);
    statuses.push(summarizeWatch(entry.snapshot, now, pending.ok ? pending.value.requests : []));
  }
  statuses.sort((a, b) => b.deployedAt - a.deployedAt || (a.watchId < b.watchId ? -1 : 1));
  return { statuses, damaged };
}
