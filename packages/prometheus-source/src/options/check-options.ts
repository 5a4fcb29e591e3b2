import type { PrometheusSourceOptions } from './prometheus-source-options';
import { validateOptions } from './validate-options';

/**
 * Checks options exactly as `createPrometheusSource` does (the same `CONFIG_INVALID` errors,
 * naming the option and the fix) without creating the source or its connection pool. From the
 * `@rollgate/prometheus-source/options` entry point it loads no HTTP client, so a configuration
 * check (`rollgate config check`) stays fast.
 */
export function checkPrometheusSourceOptions(options: PrometheusSourceOptions): void {
  validateOptions(options);
}
