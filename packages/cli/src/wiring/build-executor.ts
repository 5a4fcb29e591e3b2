import { basename } from 'node:path';
import type { Executor } from '@rollgate/core';
import type { ExecutorConfig } from '../config/config-schema';
import { dropUndefined } from '../config/drop-undefined';
import type { LoadedConfig } from '../config/load-config';
import { withConfigField } from './config-failure';
import { loadAdapter } from './load-adapter';

/**
 * The configured Executor; its adapter package is imported only now. `onWarning` receives the
 * adapter's non-fatal problems (a malformed releases_log line), so they show up in the progress
 * output instead of as process warnings. Creating one does no I/O: `rollgate config check`
 * builds it to check the options and disposes of it.
 */
export async function buildExecutor(
  loaded: LoadedConfig,
  onWarning: (message: string) => void,
): Promise<Executor> {
  const config: ExecutorConfig = loaded.config.executor;
  const file = basename(loaded.file);
  if (config.type === 'kubernetes') {
    const { createKubernetesExecutor } = await loadAdapter(
      '@rollgate/k8s-executor',
      `${file}: executor (type kubernetes)`,
      () => import('@rollgate/k8s-executor'),
    );
    return withConfigField(file, 'executor', () => {
      const { type: _type, inCluster, ...options } = config;
      return createKubernetesExecutor(
        dropUndefined({ ...options, ...(inCluster ? { inCluster: true } : {}) }),
      );
    });
  }
  const { createDeployerExecutor } = await loadAdapter(
    '@rollgate/deployer-executor',
    `${file}: executor (type deployer)`,
    () => import('@rollgate/deployer-executor'),
  );
  return withConfigField(file, 'executor', () => {
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
