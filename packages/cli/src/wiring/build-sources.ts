import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type MetricSource, RollgateError } from '@rollgate/core';
import type { NewRelicSourceConfig, PrometheusSourceConfig } from '../config/config-schema';
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
    if (source.type === 'newrelic') {
      const { checkNewRelicSourceOptions } = await loadAdapter(
        '@rollgate/newrelic-source',
        `${file}: ${field} (type newrelic)`,
        () => import('@rollgate/newrelic-source/options'),
      );
      withConfigField(file, field, () => checkNewRelicSourceOptions(newRelicOptions(source)));
    } else {
      const { checkPrometheusSourceOptions } = await loadAdapter(
        '@rollgate/prometheus-source',
        `${file}: ${field} (type prometheus)`,
        () => import('@rollgate/prometheus-source/options'),
      );
      withConfigField(file, field, () => checkPrometheusSourceOptions(prometheusOptions(source)));
    }
  }
}

/** Disposes each distinct source once (aliases share an instance). */
export async function disposeSources(sources: Readonly<Record<string, MetricSource>>): Promise<void> {
  await Promise.allSettled([...new Set(Object.values(sources))].map((s) => s.dispose()));
}

function newRelicOptions(source: NewRelicSourceConfig) {
  const { type: _type, ...options } = source;
  return dropUndefined(options);
}

function prometheusOptions(source: PrometheusSourceConfig) {
  const { type: _type, tls, ...options } = source;
  return dropUndefined({ ...options, tls: tls === undefined ? undefined : tlsOptions(tls) });
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
