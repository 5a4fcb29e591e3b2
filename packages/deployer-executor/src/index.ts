export { createDeployerExecutor } from './create-deployer-executor';
export type { DeployerExecutor } from './deployer-executor';
export { DEPLOYER_COMPONENT } from './errors/executor-error';
export { create } from './options/create';
// Everything the light options entry point exports (the schema and the option types).
export * from './options/index';
export { artifactId } from './release/release-artifact';
export { RELEASES_LOG_WINDOW } from './release/releases-log';
