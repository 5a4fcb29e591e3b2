export { parseRetryAfter } from '@rollgate/core/node';
export type { KubeConfigLike } from './connection/kube-config-like';
export type {
  CreateKubeConnectionSettings,
  KubeConnection,
  KubeConnectionOptions,
  PreparedRequest,
  PrepareFailure,
} from './connection/kube-connection';
export { createKubeConnection } from './connection/kube-connection';
export type { LeaderElectionRecord } from './election/leader-election-record';
export type { LeaderElector, LeaderElectorOptions } from './election/leader-elector';
export { createLeaderElector } from './election/leader-elector';
export { formatMicroTime } from './election/micro-time';
export type {
  ApiAccess,
  Classification,
  ClassifyContext,
  KubeRole,
  RbacVerb,
  ReplyHeaders,
  StatusBody,
} from './errors/classify';
export { classify, parseStatusBody } from './errors/classify';
export type {
  KubernetesExecutor,
  KubernetesExecutorOptions,
  UndoOptions,
} from './executor/kubernetes-executor';
export { createKubernetesExecutor } from './executor/kubernetes-executor';
export type { JsonPatchOperation } from './executor/rollback-patch';
export {
  ANNOTATIONS_TO_SKIP,
  OPERATION_ANNOTATION,
  rollbackAnnotations,
  rollbackPatch,
} from './executor/rollback-patch';
export type { RolloutStatus } from './executor/rollout-status';
export { PROGRESS_DEADLINE_EXCEEDED, rolloutStatus } from './executor/rollout-status';
export { equalIgnoreHash } from './executor/template-equality';
export type { PodHealthSourceOptions } from './health/pod-health-source';
export { createPodHealthSource, podSelectorFor } from './health/pod-health-source';
export { create } from './options/create';
export {
  type KubernetesExecutorOptionsInput,
  type KubernetesExecutorOptionsParsed,
  KubernetesExecutorOptionsSchema,
} from './options/kubernetes-executor-options-schema';
export type { DeploymentView, ReplicaSetView } from './resources/kube-objects';
export {
  POD_TEMPLATE_HASH_LABEL,
  parseDeployment,
  parseReplicaSet,
  REVISION_ANNOTATION,
} from './resources/kube-objects';
