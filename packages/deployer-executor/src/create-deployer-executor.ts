import { CommandDeployerExecutor } from './command/command-executor';
import type { DeployerExecutor } from './deployer-executor';
import { LocalDeployerExecutor } from './local/local-executor';
import type { DeployerExecutorOptions } from './options/deployer-executor-options';
import { validateOptions } from './options/validate-options';

/**
 * Builds the Deployer PHP executor. `{ mode: 'local', deployPath }` switches `current` in a
 * deploy_path on this machine with `dep rollback`'s semantics; `{ mode: 'command', selector }`
 * runs the project's own `dep rollback` and confirms the result on every host. Both identify an
 * artifact as `<release>@<REVISION>` and gate readiness on health URLs.
 *
 * Throws `RollgateError('CONFIG_INVALID')` for bad options (the only throw: calls on the
 * returned executor resolve to results). Does no I/O until a method is called.
 */
export function createDeployerExecutor(options: DeployerExecutorOptions): DeployerExecutor {
  const settings = validateOptions(options);
  return settings.target.mode === 'local'
    ? new LocalDeployerExecutor(settings, settings.target)
    : new CommandDeployerExecutor(settings, settings.target);
}
