import { describe, expect, it } from 'vitest';
import {
  BAD_RELEASE,
  GOOD_RELEASE,
  parseReleaseBehaviour,
  planRequest,
} from '../../src/service/release-behaviour';

/** A deterministic stand-in for Math.random. */
function seeded(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

function simulate(behaviour: typeof BAD_RELEASE, servingForMs: number, n = 20_000) {
  const random = seeded(42);
  const delays: number[] = [];
  let failures = 0;
  let faulty = 0;
  for (let i = 0; i < n; i++) {
    const plan = planRequest({ version: 'v', ...behaviour }, servingForMs, random);
    delays.push(plan.delayMs);
    if (plan.fail) failures += 1;
    if (plan.faulty) faulty += 1;
  }
  delays.sort((a, b) => a - b);
  return { errorRate: failures / n, p99: delays[Math.floor(0.99 * n)] as number, faulty };
}

describe('release behaviour', () => {
  it('a good release fails about 0.5% of requests with p99 near 40 ms', () => {
    const good = simulate(GOOD_RELEASE, 60_000);
    expect(good.errorRate).toBeGreaterThan(0.002);
    expect(good.errorRate).toBeLessThan(0.01);
    expect(good.p99).toBeGreaterThan(30);
    expect(good.p99).toBeLessThan(50);
    expect(good.faulty).toBe(0);
  });

  it('the bad release behaves like the good one for 20 s, then fails ~20% with twice the p99', () => {
    const before = simulate(BAD_RELEASE, 19_999);
    const after = simulate(BAD_RELEASE, 20_000);
    expect(before.faulty).toBe(0);
    expect(before.errorRate).toBeLessThan(0.01);
    expect(after.faulty).toBe(20_000);
    expect(after.errorRate).toBeGreaterThan(0.18);
    expect(after.errorRate).toBeLessThan(0.22);
    expect(after.p99 / before.p99).toBeCloseTo(2, 5);
  });

  it('parses release.json and names the field at fault', () => {
    const text = JSON.stringify({ version: 'v2', ...BAD_RELEASE });
    expect(parseReleaseBehaviour(text)).toEqual({ version: 'v2', ...BAD_RELEASE });
    expect(() =>
      parseReleaseBehaviour('{"version":"v","errorRate":2,"latency":{"medianMs":1,"sigma":1}}'),
    ).toThrow('errorRate');
    expect(() =>
      parseReleaseBehaviour('{"version":"v","errorRate":0,"latency":{"medianMs":1,"sigma":1},"fault":{}}'),
    ).toThrow('fault.afterSeconds');
  });
});
