import type { AdapterDeps } from '@rollgate/core';
import {
  createKubernetesExecutor,
  type KubernetesExecutor,
  type KubernetesExecutorOptions,
} from '../executor/kubernetes-executor';
import type { KubernetesExecutorOptionsParsed } from './kubernetes-executor-options-schema';

/**
 * Builds the executor from options a host has already checked with
 * `KubernetesExecutorOptionsSchema` (`executor` of a configuration file without `type`): the
 * adapter's entry in the CLI's registry. `inCluster: false` is the same as leaving it out.
 */
export function create(
  options: KubernetesExecutorOptionsParsed,
  _deps: AdapterDeps = {},
): KubernetesExecutor {
  const { inCluster, ...rest } = options;
  // The schema leaves absent fields out, so the rest is the factory's options as they are.
  return createKubernetesExecutor({
    ...(rest as KubernetesExecutorOptions),
    ...(inCluster ? { inCluster: true } : {}),
  });
}
