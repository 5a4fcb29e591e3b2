import type { AdapterDeps } from '@rollgate/core';
import { createDeployerExecutor } from '../create-deployer-executor';
import type { DeployerExecutor } from '../deployer-executor';
import type {
  DeployerExecutorOptions,
  DeployerExecutorOptionsParsed,
} from './deployer-executor-options-schema';

/**
 * Builds the executor from options a host has already checked with
 * `DeployerExecutorOptionsSchema` (`executor` of a configuration file without `type`): the
 * adapter's entry in the CLI's registry. `deps.onWarning` receives the executor's non-fatal
 * problems (a malformed releases_log line).
 */
export function create(options: DeployerExecutorOptionsParsed, deps: AdapterDeps = {}): DeployerExecutor {
  // The schema leaves absent fields out, so its output is the factory's options as they are.
  return createDeployerExecutor({
    ...(options as DeployerExecutorOptions),
    ...(deps.onWarning === undefined ? {} : { onWarning: deps.onWarning }),
  });
}
