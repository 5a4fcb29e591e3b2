import { describeExecutorContract } from '@rollgate/testkit';
import { createKubernetesExecutor } from '../../src/executor/kubernetes-executor';
import { closedPort, seedRollouts } from '../support/fixtures';
import { KubeApiDouble } from '../support/kube-api-double';

describeExecutorContract('kubernetes (API double)', async () => {
  const double = await KubeApiDouble.start();
  seedRollouts(double, ['registry.example/web:1.0.0', 'registry.example/web:1.1.0']);
  const executor = createKubernetesExecutor({
    namespace: 'prod',
    deployment: 'web',
    server: double.url,
    token: double.token,
  });
  const failing = createKubernetesExecutor({
    namespace: 'prod',
    deployment: 'web',
    server: `http://127.0.0.1:${await closedPort()}`,
    token: 'unused-token-for-a-closed-port',
  });
  // A cluster whose controller never makes the rolled-back ReplicaSet available.
  const stuck = await KubeApiDouble.start();
  seedRollouts(stuck, ['registry.example/web:1.0.0', 'registry.example/web:1.1.0'], {
    progressDeadlineSeconds: 1,
  });
  stuck.controller.mode = 'never-available';
  const unready = createKubernetesExecutor({
    namespace: 'prod',
    deployment: 'web',
    server: stuck.url,
    token: stuck.token,
  });
  return {
    executor,
    failing,
    unready,
    now: () => Date.now(),
    async teardown() {
      await executor.dispose();
      await failing.dispose();
      await unready.dispose();
      await double.close();
      await stuck.close();
    },
  };
});
