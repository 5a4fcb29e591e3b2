import { join } from 'node:path';
import { describeExecutorContract } from '@rollgate/testkit';
import { createDeployerExecutor } from '../../src/index';
import { simpleSpec, tempRoot } from '../support/deploy-path';
import { buildFakeProject } from '../support/fake-dep';
import { startUnhealthyServer } from '../support/unhealthy-server';

describeExecutorContract('deployer-executor (command mode, two hosts)', async () => {
  const { root, cleanup } = await tempRoot();
  const project = await buildFakeProject(root, [
    { alias: 'web1', labels: { stage: 'prod' }, spec: simpleSpec(3) },
    { alias: 'web2', labels: { stage: 'prod' }, spec: simpleSpec(3) },
  ]);
  const executor = createDeployerExecutor({
    mode: 'command',
    dep: project.dep,
    selector: 'stage=prod',
    cwd: project.dir,
    onWarning: () => {},
  });
  const failing = createDeployerExecutor({
    mode: 'command',
    dep: join(root, 'no-such-dep'),
    selector: 'stage=prod',
    cwd: project.dir,
  });
  const health = await startUnhealthyServer();
  const unready = createDeployerExecutor({
    mode: 'command',
    dep: project.dep,
    selector: 'stage=prod',
    cwd: project.dir,
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
