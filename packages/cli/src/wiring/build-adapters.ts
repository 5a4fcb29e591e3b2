import { access, constants } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Executor, type MetricSource, markedValues, RollgateError } from '@rollgate/core';
import { type AdapterEntry, EXECUTOR_ADAPTERS, SOURCE_ADAPTERS } from '../config/adapter-registry';
import type { LoadedConfig } from '../config/load-config';
import { withConfigField } from './config-failure';
import { loadAdapter } from './load-adapter';

/**
 * One MetricSource per configured source, keyed by the names signals use (a lone source also
 * answers to `default`), each built by its adapter's `create` from the registry: the adapter
 * package is imported only now.
 */
export async function buildSources(loaded: LoadedConfig): Promise<Record<string, MetricSource>> {
  const built: Record<string, MetricSource> = {};
  for (const [name, source] of Object.entries(loaded.config.sources)) {
    built[name] = await buildAdapter<MetricSource>(
      SOURCE_ADAPTERS[source.type],
      loaded,
      `sources.${name}`,
      source,
    );
  }
  const out: Record<string, MetricSource> = {};
  for (const [alias, name] of Object.entries(loaded.sourceAliases)) out[alias] = built[name] as MetricSource;
  return out;
}

/**
 * The configured Executor, built by its adapter's `create`. `onWarning` receives the adapter's
 * non-fatal problems (a malformed releases_log line), so they show up in the progress output
 * instead of as process warnings. Creating one does no I/O: `rollgate config check` builds it
 * to check the options and disposes of it.
 */
export async function buildExecutor(
  loaded: LoadedConfig,
  onWarning: (message: string) => void,
): Promise<Executor> {
  const config = loaded.config.executor;
  return buildAdapter<Executor>(EXECUTOR_ADAPTERS[config.type], loaded, 'executor', config, { onWarning });
}

/**
 * Checks that every file a source's options name (the fields its schema marks as paths, such as
 * `tls.caFile`) can be read, without building the source or loading its HTTP client
 * (`rollgate config check`).
 */
export async function checkSourceFiles(loaded: LoadedConfig): Promise<void> {
  const file = basename(loaded.file);
  for (const [name, source] of Object.entries(loaded.config.sources)) {
    const schema = await SOURCE_ADAPTERS[source.type].schema();
    for (const found of markedValues(schema, source, 'path')) {
      const field = `sources.${name}.${found.path.join('.')}`;
      try {
        await access(found.value, constants.R_OK);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
        throw new RollgateError(
          'CONFIG_INVALID',
          `${file}: ${field}: cannot read ${found.value} (${code}); check the path and its permissions.`,
          { component: 'cli-config', details: { field } },
        );
      }
    }
  }
}

/** Disposes each distinct source once (aliases share an instance). */
export async function disposeSources(sources: Readonly<Record<string, MetricSource>>): Promise<void> {
  await Promise.allSettled([...new Set(Object.values(sources))].map((s) => s.dispose()));
}

async function buildAdapter<T>(
  entry: AdapterEntry<T>,
  loaded: LoadedConfig,
  field: string,
  config: { readonly type: string },
  deps: { readonly onWarning?: (message: string) => void } = {},
): Promise<T> {
  const file = basename(loaded.file);
  const create = await loadAdapter(entry.package, `${file}: ${field} (type ${config.type})`, entry.create);
  const { type: _type, ...options } = config;
  return withConfigField(file, field, () => create(options, deps));
}
