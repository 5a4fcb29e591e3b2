import type { AdapterDeps, MetricSource } from '@rollgate/core';
import type {
  NewRelicSourceOptions,
  NewRelicSourceOptionsParsed,
} from '../config/newrelic-source-options-schema';
import { createNewRelicSource } from './newrelic-source';

/**
 * Builds the source from options a host has already checked with
 * `NewRelicSourceOptionsSchema` (`sources.<name>` of a configuration file without `type`): the
 * adapter's entry in the CLI's registry.
 */
export function create(options: NewRelicSourceOptionsParsed, _deps: AdapterDeps = {}): MetricSource {
  // The schema leaves absent fields out, so its output is the factory's options as they are.
  return createNewRelicSource(options as NewRelicSourceOptions);
}
