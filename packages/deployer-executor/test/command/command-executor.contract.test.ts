import { join } from 'node:path';
import { describeExecutorContract } from '@rollgate/testkit';
import { createDeployerExecutor } from '../../src/index';
import { simpleSpec, tempRoot } from '../support/deploy-path';
import { buildFakeProject } from '../support/fake-dep';

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
