export { createDeployerExecutor } from './create-deployer-executor';
export type { DeployerExecutor } from './deployer-executor';
export { DEPLOYER_COMPONENT } from './errors/executor-error';
export { create } from './options/create';
export type {
  CommandDeployerOptions,
  CommonDeployerOptions,
  DeployerExecutorOptions,
  LocalDeployerOptions,
  ReadinessGateOptions,
} from './options/deployer-executor-options-schema';
export {
  type DeployerExecutorOptionsInput,
  type DeployerExecutorOptionsParsed,
  DeployerExecutorOptionsSchema,
} from './options/deployer-executor-options-schema';
export { artifactId } from './release/release-artifact';
export { RELEASES_LOG_WINDOW } from './release/releases-log';
