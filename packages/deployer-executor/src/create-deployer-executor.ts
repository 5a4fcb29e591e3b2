import { DepReleaseSource } from './command/dep-release-source';
import type { DeployerExecutor } from './deployer-executor';
import { ReleaseExecutor } from './executor/release-executor';
import { DirectoryReleaseSource } from './local/directory-release-source';
import type { DeployerExecutorOptions } from './options/deployer-executor-options-schema';
import { validateOptions } from './options/validate-options';

/**
 * Builds the Deployer PHP executor. `{ mode: 'local', deployPath }` switches `current` in a
 * deploy_path on this machine with `dep rollback`'s semantics; `{ mode: 'command', selector }`
 * runs the project's own `dep rollback` and confirms the result on every host. Both are one
 * executor over a different release source: they identify an artifact as `<release>@<REVISION>`,
 * refuse BAD_RELEASE targets and gate readiness on health URLs the same way.
 *
 * Throws `RollgateError('CONFIG_INVALID')` for bad options (the only throw: calls on the
 * returned executor resolve to results). Does no I/O until a method is called.
 */
export function createDeployerExecutor(options: DeployerExecutorOptions): DeployerExecutor {
  const settings = validateOptions(options);
  const { target, gate, clock } = settings;
  return target.mode === 'local'
    ? new ReleaseExecutor(new DirectoryReleaseSource(settings, target), gate, clock)
    : new ReleaseExecutor(new DepReleaseSource(settings, target), gate, clock);
}
