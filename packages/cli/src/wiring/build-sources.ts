import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type MetricSource, RollgateError } from '@rollgate/core';
import { createNewRelicSource } from '@rollgate/newrelic-source';
import { createPrometheusSource } from '@rollgate/prometheus-source';
import type { PrometheusSourceConfig, SourceConfig } from '../config/config-schema';
import { dropUndefined } from '../config/drop-undefined';
import type { LoadedConfig } from '../config/load-config';
import { withConfigField } from './config-failure';

/**
 * One MetricSource per configured source, keyed by the names signals use (a lone source also
 * answers to `default`). Factories validate their own options; their errors name the field.
 */
export function buildSources(loaded: LoadedConfig): Record<string, MetricSource> {
  const file = basename(loaded.file);
  const built: Record<string, MetricSource> = {};
  for (const [name, source] of Object.entries(loaded.config.sources)) {
    built[name] = withConfigField(file, `sources.${name}`, () => buildSource(source));
  }
  const out: Record<string, MetricSource> = {};
  for (const [alias, name] of Object.entries(loaded.sourceAliases)) out[alias] = built[name] as MetricSource;
  return out;
}

/**
 * The adapter of one configured source; its factory validates the options. With
 * `readTlsFiles: false` the `tls.*File` options are left out (a check of the other options that
 * reads no file).
 */
export function buildSource(
  source: SourceConfig,
  options: { readonly readTlsFiles?: boolean } = {},
): MetricSource {
  if (source.type === 'newrelic') {
    const { type: _type, ...rest } = source;
    return createNewRelicSource(dropUndefined(rest));
  }
  const { type: _type, tls, ...rest } = source;
  const { caFile, certFile, keyFile, ...inline } = tls ?? {};
  return createPrometheusSource(
    dropUndefined({
      ...rest,
      tls:
        tls === undefined
          ? undefined
          : options.readTlsFiles === false
            ? dropUndefined(inline)
            : tlsOptions(tls),
    }),
  );
}

/** Disposes each distinct source once (aliases share an instance). */
export async function disposeSources(sources: Readonly<Record<string, MetricSource>>): Promise<void> {
  await Promise.allSettled([...new Set(Object.values(sources))].map((s) => s.dispose()));
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
