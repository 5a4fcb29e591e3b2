import { type Executor, ok, RollgateError } from '@rollgate/core';
import { createMemoryExecutor } from '@rollgate/core/simulation';
import { describeExecutorContract } from '../../../src';

// Run by ../planted-bugs.test.ts in a separate vitest process.
const ARTIFACTS = [{ id: 'v2' }, { id: 'v1' }];

function failingExecutor(): Executor {
  const failing = createMemoryExecutor({ artifacts: ARTIFACTS, current: 'v2' });
  const down = new RollgateError('EXECUTOR_UNAVAILABLE', 'the platform is down', { retryable: true });
  for (const method of ['current', 'candidates', 'cutover', 'awaitReady'] as const)
    failing.failNext(method, down, 1_000);
  return failing;
}

/** A platform whose targets never become ready: the gate fails as a real adapter's would. */
function neverReady(): Executor {
  const executor = createMemoryExecutor({ artifacts: ARTIFACTS, current: 'v2' });
  executor.failNext(
    'awaitReady',
    new RollgateError('GATE_FAILED', 'the health URLs never answered 2xx'),
    1_000,
  );
  return executor;
}

/** The planted bug: `awaitReady` says ok whatever the platform says. */
function alwaysReady(inner: Executor): Executor {
  return {
    name: inner.name,
    supportsWeights: inner.supportsWeights,
    current: (ctx) => inner.current(ctx),
    candidates: (ctx) => inner.candidates(ctx),
    cutover: (target, operationId, ctx) => inner.cutover(target, operationId, ctx),
    awaitReady: async () => ok({ ready: true, detail: 'ready (without looking)' }),
    dispose: () => inner.dispose(),
  };
}

describeExecutorContract('reference', async () => ({
  executor: createMemoryExecutor({ artifacts: ARTIFACTS, current: 'v2' }),
  failing: failingExecutor(),
  unready: neverReady(),
  now: () => Date.now(),
  teardown: async () => {},
}));

describeExecutorContract('planted: awaitReady always says ok', async () => ({
  executor: alwaysReady(createMemoryExecutor({ artifacts: ARTIFACTS, current: 'v2' })),
  failing: failingExecutor(),
  unready: alwaysReady(neverReady()),
  now: () => Date.now(),
  teardown: async () => {},
}));
