/**
 * `@rollgate/k8s-executor/options`: the executor's options schema (what a configuration file
 * accepts, with its path and secret fields), without the Kubernetes client the executor loads.
 */
export {
  KubeConnectionOptionsSchema,
  type KubernetesExecutorOptionsInput,
  type KubernetesExecutorOptionsParsed,
  KubernetesExecutorOptionsSchema,
} from './kubernetes-executor-options-schema';
