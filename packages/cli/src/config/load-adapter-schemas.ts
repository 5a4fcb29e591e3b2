import { RollgateError } from '@rollgate/core';
import type { z } from 'zod';
import { loadAdapter } from '../wiring/load-adapter';
import {
  type AdapterEntry,
  type AdapterSchemas,
  EXECUTOR_ADAPTERS,
  SOURCE_ADAPTERS,
  STATE_STORES,
  type StoreEntry,
} from './adapter-registry';
import type { ConfigProblem } from './config-problems';
import { STATE_FIELDS } from './config-schema';

/**
 * The options schemas of the adapters a configuration names (each `sources.<name>.type` and
 * `executor.type`), loaded from their light `options` entry points. An adapter that is not
 * installed is one problem at its `type`, with the install command; an unknown type is left to
 * the file's schema (which names the closest known one).
 */
export async function loadAdapterSchemas(
  value: Record<string, unknown>,
): Promise<{ schemas: AdapterSchemas; problems: ConfigProblem[] }> {
  const problems: ConfigProblem[] = [];
  const sources: Record<string, AdapterSchemas['sources'][keyof AdapterSchemas['sources']]> = {};
  const executors: Record<string, AdapterSchemas['executors'][keyof AdapterSchemas['executors']]> = {};
  const load = async (
    registry: Readonly<Record<string, AdapterEntry<unknown> | StoreEntry>>,
    into: Record<string, unknown>,
    type: unknown,
    path: readonly (string | number)[],
  ) => {
    if (typeof type !== 'string' || !Object.hasOwn(registry, type) || type in into) return;
    const entry = registry[type] as AdapterEntry<unknown> | StoreEntry;
    const where = `${path.join('.')} (type ${type})`;
    try {
      into[type] = await loadAdapter(entry.package, where, entry.schema);
    } catch (error) {
      if (!RollgateError.is(error) || error.code !== 'CONFIG_INVALID') throw error;
      into[type] = undefined;
      problems.push({ path: [...path, 'type'], message: error.message });
    }
  };
  if (isRecord(value.sources)) {
    for (const [name, entry] of Object.entries(value.sources)) {
      if (isRecord(entry)) await load(SOURCE_ADAPTERS, sources, entry.type, ['sources', name]);
    }
  }
  if (isRecord(value.executor)) await load(EXECUTOR_ADAPTERS, executors, value.executor.type, ['executor']);
  // The chosen state store's own options; another type's fields (url on the file stores) are
  // looked up in its schema to say which type they belong to, when that type is installed.
  const states: Record<string, z.ZodObject | undefined> = {};
  if (isRecord(value.state)) {
    const chosen = value.state.type ?? 'files';
    await load(storeTypes(), states, chosen, ['state']);
    if (Object.keys(value.state).some((key) => !(STATE_FIELDS as readonly string[]).includes(key))) {
      for (const [type, entry] of Object.entries(storeTypes())) {
        if (type in states) continue;
        states[type] = await entry.schema().catch(() => undefined);
      }
    }
  }
  return {
    schemas: { sources: defined(sources), executors: defined(executors), states: defined(states) },
    problems,
  };
}

/** Every adapter's options schema, for the JSON Schema the CLI ships (all adapters installed). */
export async function loadAllAdapterSchemas(): Promise<AdapterSchemas> {
  const all = async (registry: Readonly<Record<string, AdapterEntry<unknown> | StoreEntry>>) =>
    Object.fromEntries(
      await Promise.all(Object.entries(registry).map(async ([type, entry]) => [type, await entry.schema()])),
    );
  return {
    sources: await all(SOURCE_ADAPTERS),
    executors: await all(EXECUTOR_ADAPTERS),
    states: await all(storeTypes()),
  };
}

/** The state store types with options of their own. */
function storeTypes(): Record<string, StoreEntry> {
  const entries: [string, StoreEntry | null][] = Object.entries(STATE_STORES);
  return Object.fromEntries(entries.filter((entry): entry is [string, StoreEntry] => entry[1] !== null));
}

function defined<T>(record: Record<string, T | undefined>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Record<string, T>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
