import { basename } from 'node:path';
import type { Executor } from '@rollgate/core';
import { createDeployerExecutor } from '@rollgate/deployer-executor';
import { createKubernetesExecutor } from '@rollgate/k8s-executor';
import type { ExecutorConfig } from '../config/config-schema';
import { dropUndefined } from '../config/drop-undefined';
import type { LoadedConfig } from '../config/load-config';
import { withConfigField } from './config-failure';

/**
 * The configured Executor. `onWarning` receives the adapter's non-fatal problems (a malformed
 * releases_log line), so they show up in the progress output instead of as process warnings.
 */
export function buildExecutor(loaded: LoadedConfig, onWarning: (message: string) => void): Executor {
  const config: ExecutorConfig = loaded.config.executor;
  return withConfigField(basename(loaded.file), 'executor', () => {
    if (config.type === 'kubernetes') {
      const { type: _type, inCluster, ...options } = config;
      return createKubernetesExecutor(
        dropUndefined({ ...options, ...(inCluster ? { inCluster: true } : {}) }),
      );
    }
    const { type: _type, mode, ...options } = config;
    if (mode === 'local') {
      return createDeployerExecutor(
        dropUndefined({
          mode,
          deployPath: options.deployPath as string,
          user: options.user,
          gate: options.gate,
          onWarning,
        }),
      );
    }
    return createDeployerExecutor(
      dropUndefined({
        mode,
        selector: options.selector as string,
        dep: options.dep,
        deployFile: options.deployFile,
        cwd: options.cwd,
        env: options.env,
        checkCommand: options.checkCommand,
        gate: options.gate,
        onWarning,
      }),
    );
  });
}
