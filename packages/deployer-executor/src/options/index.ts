/**
 * `@rollgate/deployer-executor/options`: the executor's options schema (what a configuration
 * file and `createDeployerExecutor` accept, with its path and secret fields), with no executor
 * code loaded.
 */

export type {
  CommandDeployerOptions,
  CommonDeployerOptions,
  DeployerExecutorOptions,
  LocalDeployerOptions,
  ReadinessGateOptions,
} from './deployer-executor-options-schema';
export {
  type DeployerExecutorOptionsInput,
  type DeployerExecutorOptionsParsed,
  DeployerExecutorOptionsSchema,
} from './deployer-executor-options-schema';
