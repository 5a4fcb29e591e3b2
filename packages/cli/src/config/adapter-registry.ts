import type { AdapterDeps, Executor, MetricSource, StoreDeps } from '@rollgate/core';
import type { z } from 'zod';

/**
 * Every adapter a configuration file can name, by `type`: where its options schema is (the
 * adapter's light `options` entry point: zod and the schema, no HTTP or Kubernetes client) and
 * where its `create(options, deps)` is (the adapter itself). The CLI lists adapters as optional
 * peer dependencies, so each is imported only when a file names its type: `--help` loads none,
 * `config check` loads the schemas of the ones named. Adding an adapter is one entry here.
 */
export const SOURCE_ADAPTERS = {
  prometheus: {
    package: '@rollgate/prometheus-source',
    schema: async () => (await import('@rollgate/prometheus-source/options')).PrometheusSourceOptionsSchema,
    create: async () => (await import('@rollgate/prometheus-source')).create,
  },
  newrelic: {
    package: '@rollgate/newrelic-source',
    schema: async () => (await import('@rollgate/newrelic-source/options')).NewRelicSourceOptionsSchema,
    create: async () => (await import('@rollgate/newrelic-source')).create,
  },
} as const satisfies Record<string, AdapterEntry<MetricSource>>;

/** `executor`, by `type` (see {@link SOURCE_ADAPTERS}). */
export const EXECUTOR_ADAPTERS = {
  deployer: {
    package: '@rollgate/deployer-executor',
    schema: async () => (await import('@rollgate/deployer-executor/options')).DeployerExecutorOptionsSchema,
    create: async () => (await import('@rollgate/deployer-executor')).create,
  },
  kubernetes: {
    package: '@rollgate/k8s-executor',
    schema: async () => (await import('@rollgate/k8s-executor/options')).KubernetesExecutorOptionsSchema,
    create: async () => (await import('@rollgate/k8s-executor')).create,
  },
} as const satisfies Record<string, AdapterEntry<Executor>>;

/**
 * `state`, by `type`: the file stores (in `@rollgate/core/node`, built into the CLI, with no
 * options of their own besides the host's `dir`, `keep`, `leaseSeconds` and `signing`) and the
 * PostgreSQL stores, whose options (`url`, `schema`, `migrations`) are their package's schema.
 * The file's `state` is those shared fields joined with the chosen type's own (config-schema.ts).
 */
export const STATE_STORES = {
  files: null,
  postgres: {
    package: '@rollgate/postgres-store',
    schema: async () => (await import('@rollgate/postgres-store/options')).PostgresStoreOptionsSchema,
    create: async () => (await import('@rollgate/postgres-store')).create,
  },
} as const satisfies Record<string, StoreEntry | null>;

/** A `state.type`. */
export type StateType = keyof typeof STATE_STORES;

/** A state store type with options of its own: its package, its options schema and its factory. */
export interface StoreEntry {
  readonly package: string;
  readonly schema: () => Promise<z.ZodObject>;
  // biome-ignore lint/suspicious/noExplicitAny: each store's create takes its own parsed options
  readonly create: () => Promise<(options: any, deps: StoreDeps) => unknown>;
}

/** One adapter: its package, its options schema and its factory, each loaded on demand. */
export interface AdapterEntry<T> {
  readonly package: string;
  readonly schema: () => Promise<z.ZodObject>;
  // biome-ignore lint/suspicious/noExplicitAny: each adapter's create takes its own parsed options
  readonly create: () => Promise<(options: any, deps: AdapterDeps) => T>;
}

/** A `sources.<name>.type`. */
export type SourceType = keyof typeof SOURCE_ADAPTERS;
/** An `executor.type`. */
export type ExecutorType = keyof typeof EXECUTOR_ADAPTERS;

/** The options schema of the adapter `entry`, as its loader returns it. */
type SchemaOf<E> = E extends { schema: () => Promise<infer S> } ? S : never;

/** A validated source entry: `type` and that adapter's parsed options. */
export type SourceConfig = {
  [K in SourceType]: { readonly type: K } & z.output<SchemaOf<(typeof SOURCE_ADAPTERS)[K]>>;
}[SourceType];
/** A validated `executor`: `type` and that adapter's parsed options. */
export type ExecutorConfig = {
  [K in ExecutorType]: { readonly type: K } & z.output<SchemaOf<(typeof EXECUTOR_ADAPTERS)[K]>>;
}[ExecutorType];

/** The own options of the state store types with any, as their schemas parse them. */
export type StateStoreOptions = z.output<SchemaOf<(typeof STATE_STORES)['postgres']>>;

/** The options schemas that could be loaded, by type; a type left out is not named or not installed. */
export interface AdapterSchemas {
  readonly sources: Partial<Record<SourceType, z.ZodObject>>;
  readonly executors: Partial<Record<ExecutorType, z.ZodObject>>;
  /** The state store types' own options schemas (none for `files`). */
  readonly states?: Partial<Record<StateType, z.ZodObject>>;
}
