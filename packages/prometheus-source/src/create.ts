import type { AdapterDeps } from '@rollgate/core';
import type {
  PrometheusSourceOptions,
  PrometheusSourceOptionsParsed,
} from './options/prometheus-source-options-schema';
import { createPrometheusSource, type PrometheusSource } from './prometheus-source';

/**
 * Builds the source from options a host has already checked with
 * `PrometheusSourceOptionsSchema` (`sources.<name>` of a configuration file without `type`): the
 * adapter's entry in the CLI's registry. `tls.*File` paths are read here.
 */
export function create(options: PrometheusSourceOptionsParsed, _deps: AdapterDeps = {}): PrometheusSource {
  // The schema leaves absent fields out, so its output is the factory's options as they are.
  return createPrometheusSource(options as PrometheusSourceOptions);
}
