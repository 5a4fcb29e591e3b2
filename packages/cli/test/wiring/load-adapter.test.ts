import { RollgateError } from '@rollgate/core';
import { describe, expect, it } from 'vitest';
import { loadAdapter } from '../../src/wiring/load-adapter';

// Specifiers held in variables so the type checker does not try to resolve them.
const ABSENT = '@rollgate/no-such-adapter';
const ABSENT_DEPENDENCY = 'rollgate-no-such-dependency';

describe('loadAdapter', () => {
  it('returns the adapter module when it is installed', async () => {
    const module = await loadAdapter(
      '@rollgate/deployer-executor',
      'rollgate.yaml: executor',
      () => import('@rollgate/deployer-executor'),
    );
    expect(typeof module.createDeployerExecutor).toBe('function');
  });

  it('turns a missing adapter package into a one-line install hint (CONFIG_INVALID)', async () => {
    const error = await loadAdapter(
      ABSENT,
      'rollgate.yaml: sources.prom (type prometheus)',
      () => import(/* @vite-ignore */ ABSENT),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(RollgateError.is(error)).toBe(true);
    if (!RollgateError.is(error)) return;
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(
      'rollgate.yaml: sources.prom (type prometheus) needs @rollgate/no-such-adapter, which is not installed; ' +
        'install it beside @rollgate/cli: npm install @rollgate/no-such-adapter',
    );
    expect(error.message).not.toContain('\n');
  });

  it('lets a module missing inside an installed adapter through unchanged', async () => {
    const error = await loadAdapter(
      '@rollgate/prometheus-source',
      'rollgate.yaml: sources.prom',
      () => import(/* @vite-ignore */ ABSENT_DEPENDENCY),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(RollgateError.is(error)).toBe(false);
    expect(String(error)).toContain(ABSENT_DEPENDENCY);
  });
});
