import { parseConfig } from '@rollgate/cli';
import { describe, expect, it } from 'vitest';
import { DEMO_CONTRACT, demoConfigYaml, demoContract } from '../../src/watch/demo-contract';

const paths = {
  prometheusUrl: 'http://127.0.0.1:9090',
  deployPath: '/tmp/demo dir/shop',
  healthUrl: 'http://127.0.0.1:8080/healthz',
  stateDir: '/tmp/demo dir/state',
};

describe('the demo configuration', () => {
  it('is a valid rollgate.yaml whose contract is exactly the in-process one', async () => {
    const loaded = await parseConfig(demoConfigYaml(paths), '/tmp/demo dir/rollgate.yaml', {});
    expect(loaded.contract).toEqual(demoContract());
    expect(loaded.config.executor).toMatchObject({
      type: 'deployer',
      mode: 'local',
      deployPath: paths.deployPath,
      gate: { urls: [paths.healthUrl], consecutive: 2 },
    });
    expect(loaded.config.state.dir).toBe(paths.stateDir);
  });

  it('keeps the four default signals and scales only the timings', async () => {
    const contract = demoContract();
    expect(contract.signals.map((s) => s.id)).toEqual(['error-rate', 'latency-p99', 'memory', 'health']);
    expect(contract.signals.every((s) => s.selector.job === 'shop')).toBe(true);
    expect(contract.alpha).toBe(0.01);
    // The fault starts 20 s after the deploy: the bake must outlast it with room to confirm.
    expect(contract.bakeSeconds).toBeGreaterThanOrEqual(45);
    expect(contract.warmupSeconds).toBeLessThan(20);
  });

  it('writes a variant for another shop: its name, selector, timings and cooldown', async () => {
    const timings = { ...DEMO_CONTRACT, bakeSeconds: 90, baselineSeconds: 45 };
    const variant = { service: 'shop-a', selector: { job: 'soak', lane: 'a' }, timings, cooldownSeconds: 0 };
    const loaded = await parseConfig(demoConfigYaml(paths, variant), '/tmp/soak/rollgate.yaml', {});
    expect(loaded.contract).toEqual(demoContract(variant));
    expect(loaded.contract.service).toBe('shop-a');
    expect(loaded.contract.bakeSeconds).toBe(90);
    expect(loaded.contract.signals.every((s) => s.selector.job === 'soak' && s.selector.lane === 'a')).toBe(
      true,
    );
    expect(loaded.config.guardrails.cooldownSeconds).toBe(0);
    expect(
      (await parseConfig(demoConfigYaml(paths), '/tmp/x/rollgate.yaml', {})).config.guardrails
        .cooldownSeconds,
    ).toBe(1800);
  });
});
