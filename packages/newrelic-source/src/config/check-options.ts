import type { NewRelicSourceOptions } from './newrelic-source-options';
import { resolveOptions } from './resolve-options';

/**
 * Checks options exactly as `createNewRelicSource` does (the same `CONFIG_INVALID` errors, naming
 * the option and the fix) without creating the source or its HTTP agent. From the
 * `@rollgate/newrelic-source/options` entry point it loads no HTTP client, so a configuration
 * check (`rollgate config check`) stays fast.
 */
export function checkNewRelicSourceOptions(options: NewRelicSourceOptions): void {
  resolveOptions(options);
}
