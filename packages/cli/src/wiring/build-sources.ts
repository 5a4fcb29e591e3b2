import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type MetricSource, RollgateError } from '@rollgate/core';
import type { NewRelicSourceConfig, PrometheusSourceConfig, SourceConfig } from '../config/config-schema';
import { dropUndefined } from '../config/drop-undefined';
import type { LoadedConfig } from '../config/load-config';
import { withConfigField } from './config-failure';
import { loadAdapter } from './load-adapter';

/**
 * One MetricSource per configured source, keyed by the names signals use (a lone source also
 * answers to `default`). Each adapter package is imported only when a source needs it. Factories
 * validate their own options; their errors name the field.
 */
export async function buildSources(loaded: LoadedConfig): Promise<Record<string, MetricSource>> {
  const file = basename(loaded.file);
  const built: Record<string, MetricSource> = {};
  for (const [name, source] of Object.entries(loaded.config.sources)) {
    const field = `sources.${name}`;
    if (source.type === 'newrelic') {
      const { createNewRelicSource } = await loadAdapter(
        '@rollgate/newrelic-source',
        `${file}: ${field} (type newrelic)`,
        () => import('@rollgate/newrelic-source'),
      );
      built[name] = withConfigField(file, field, () => createNewRelicSource(newRelicOptions(source)));
    } else {
      const { createPrometheusSource } = await loadAdapter(
        '@rollgate/prometheus-source',
        `${file}: ${field} (type prometheus)`,
        () => import('@rollgate/prometheus-source'),
      );
      built[name] = withConfigField(file, field, () => createPrometheusSource(prometheusOptions(source)));
    }
  }
  const out: Record<string, MetricSource> = {};
  for (const [alias, name] of Object.entries(loaded.sourceAliases)) out[alias] = built[name] as MetricSource;
  return out;
}

/**
 * Checks every configured source's options the way `buildSources` would build them (the same
 * errors), through the adapters' `options` entry points: no source is created and no HTTP client
 * is loaded (`rollgate config check`).
 */
export async function checkSources(loaded: LoadedConfig): Promise<void> {
  const file = basename(loaded.file);
  for (const [name, source] of Object.entries(loaded.config.sources)) {
    const field = `sources.${name}`;
    const check = await loadSourceOptionsCheck(source, `${file}: ${field} (type ${source.type})`);
    withConfigField(file, field, () => check(source));
  }
}

/**
 * The options check of one source's adapter, loaded from its `options` entry point (no HTTP
 * client): a function that throws the adapter's own `CONFIG_INVALID` for options it refuses.
 * With `readTlsFiles: false` the `tls.*File` options are left out, so the check reads no file.
 * A missing adapter package is `CONFIG_INVALID` with its install hint (`where` names the field).
 */
export async function loadSourceOptionsCheck(
  source: SourceConfig,
  where: string,
  options: { readonly readTlsFiles?: boolean } = {},
): Promise<(source: SourceConfig) => void> {
  if (source.type === 'newrelic') {
    const { checkNewRelicSourceOptions } = await loadAdapter(
      '@rollgate/newrelic-source',
      where,
      () => import('@rollgate/newrelic-source/options'),
    );
    return (s) => checkNewRelicSourceOptions(newRelicOptions(s as NewRelicSourceConfig));
  }
  const { checkPrometheusSourceOptions } = await loadAdapter(
    '@rollgate/prometheus-source',
    where,
    () => import('@rollgate/prometheus-source/options'),
  );
  return (s) => checkPrometheusSourceOptions(prometheusOptions(s as PrometheusSourceConfig, options));
}

/** Disposes each distinct source once (aliases share an instance). */
export async function disposeSources(sources: Readonly<Record<string, MetricSource>>): Promise<void> {
  await Promise.allSettled([...new Set(Object.values(sources))].map((s) => s.dispose()));
}

function newRelicOptions(source: NewRelicSourceConfig) {
  const { type: _type, ...options } = source;
  return dropUndefined(options);
}

function prometheusOptions(
  source: PrometheusSourceConfig,
  { readTlsFiles = true }: { readonly readTlsFiles?: boolean } = {},
) {
  const { type: _type, tls, ...options } = source;
  if (tls === undefined) return dropUndefined(options);
  if (readTlsFiles) return dropUndefined({ ...options, tls: tlsOptions(tls) });
  const { caFile: _ca, certFile: _cert, keyFile: _key, ...inline } = tls;
  return dropUndefined({ ...options, tls: dropUndefined(inline) });
}

function tlsOptions(tls: NonNullable<PrometheusSourceConfig['tls']>) {
  const { caFile, certFile, keyFile, ...inline } = tls;
  return {
    ...inline,
    ca: caFile === undefined ? inline.ca : readPem(caFile, 'tls.caFile'),
    cert: certFile === undefined ? inline.cert : readPem(certFile, 'tls.certFile'),
    key: keyFile === undefined ? inline.key : readPem(keyFile, 'tls.keyFile'),
  };
}

function readPem(file: string, field: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new RollgateError(
      'CONFIG_INVALID',
      `${field}: cannot read ${file} (${code}); check the path and its permissions.`,
      {
        component: 'cli-config',
      },
    );
  }
}
