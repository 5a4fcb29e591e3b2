import { join } from 'node:path';
import { describeExecutorContract } from '@rollgate/testkit';
import { createDeployerExecutor, type DeployerExecutorOptions } from '../src/index';
import { buildDeployPath, simpleSpec, tempRoot } from './support/deploy-path';
import { buildFakeProject } from './support/fake-dep';
import { startUnhealthyServer } from './support/unhealthy-server';

/**
 * The one Deployer executor over each release source: the options of a working executor, of
 * one whose release source is missing, and of one on a second, separate set of releases (for
 * the executor that never becomes ready).
 */
interface ReleaseSourceSetup {
  readonly name: string;
  readonly options: (root: string) => Promise<{
    working: DeployerExecutorOptions;
    missing: DeployerExecutorOptions;
    separate: DeployerExecutorOptions;
  }>;
}

const SOURCES: readonly ReleaseSourceSetup[] = [
  {
    name: 'command mode, two hosts',
    options: async (root) => {
      const project = await buildFakeProject(root, [
        { alias: 'web1', labels: { stage: 'prod' }, spec: simpleSpec(3) },
        { alias: 'web2', labels: { stage: 'prod' }, spec: simpleSpec(3) },
      ]);
      const command = {
        mode: 'command',
        dep: project.dep,
        selector: 'stage=prod',
        cwd: project.dir,
      } as const;
      return {
        working: command,
        missing: { ...command, dep: join(root, 'no-such-dep') },
        separate: command,
      };
    },
  },
  {
    name: 'local mode',
    options: async (root) => ({
      working: { mode: 'local', deployPath: await buildDeployPath(root, simpleSpec(3)) },
      missing: { mode: 'local', deployPath: join(root, 'no-such-deploy-path') },
      separate: { mode: 'local', deployPath: await buildDeployPath(root, simpleSpec(3), 'unready') },
    }),
  },
];

for (const source of SOURCES) {
  describeExecutorContract(`deployer-executor (${source.name})`, async () => {
    const { root, cleanup } = await tempRoot();
    const options = await source.options(root);
    const executor = createDeployerExecutor({ ...options.working, onWarning: () => {} });
    const failing = createDeployerExecutor(options.missing);
    const health = await startUnhealthyServer();
    const unready = createDeployerExecutor({
      ...options.separate,
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
}
