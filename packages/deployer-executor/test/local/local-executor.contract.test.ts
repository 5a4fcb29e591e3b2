import { join } from 'node:path';
import { describeExecutorContract } from '@rollgate/testkit';
import { createDeployerExecutor } from '../../src/index';
import { buildDeployPath, simpleSpec, tempRoot } from '../support/deploy-path';
import { startUnhealthyServer } from '../support/unhealthy-server';

describeExecutorContract('deployer-executor (local mode)', async () => {
  const { root, cleanup } = await tempRoot();
  const deployPath = await buildDeployPath(root, simpleSpec(3));
  const executor = createDeployerExecutor({ mode: 'local', deployPath, onWarning: () => {} });
  const failing = createDeployerExecutor({ mode: 'local', deployPath: join(root, 'no-such-deploy-path') });
  const health = await startUnhealthyServer();
  const unready = createDeployerExecutor({
    mode: 'local',
    deployPath: await buildDeployPath(root, simpleSpec(3), 'unready'),
    gate: { urls: [health.url], intervalMs: 100, timeoutMs: 1_500, probeTimeoutMs: 500 },
    onWarning: () => {},
  });
  return {
    executor,
    failing,
    unready,
    now: () => Date.now(),
    teardown: async () => {
      await executor.dispose();
      await failing.dispose();
      await unready.dispose();
      await health.close();
      await cleanup();
    },
  };
});
