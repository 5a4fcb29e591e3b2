import { join } from 'node:path';
import { describeExecutorContract } from '@rollgate/testkit';
import { createDeployerExecutor } from '../../src/index';
import { buildDeployPath, simpleSpec, tempRoot } from '../support/deploy-path';

describeExecutorContract('deployer-executor (local mode)', async () => {
  const { root, cleanup } = await tempRoot();
  const deployPath = await buildDeployPath(root, simpleSpec(3));
  const executor = createDeployerExecutor({ mode: 'local', deployPath, onWarning: () => {} });
  const failing = createDeployerExecutor({ mode: 'local', deployPath: join(root, 'no-such-deploy-path') });
  return {
    executor,
    failing,
    now: () => Date.now(),
    teardown: async () => {
      await executor.dispose();
      await failing.dispose();
      await cleanup();
    },
  };
});
