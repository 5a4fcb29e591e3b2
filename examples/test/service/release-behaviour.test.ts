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

  it('a tail-only fault slows a share of requests and leaves the median alone', () => {
    const tail = { ...GOOD_RELEASE, fault: { afterSeconds: 1, tail: { share: 0.04, factor: 10 } } };
    const random = seeded(7);
    const plans = Array.from({ length: 20_000 }, () => planRequest({ version: 'v', ...tail }, 2_000, random));
    const delays = plans.map((p) => p.delayMs).sort((a, b) => a - b);
    const goodRandom = seeded(7);
    const good = Array.from({ length: 20_000 }, () =>
      planRequest({ version: 'v', ...GOOD_RELEASE }, 2_000, goodRandom),
    )
      .map((p) => p.delayMs)
      .sort((a, b) => a - b);
    const median = (xs: number[]) => xs[Math.floor(xs.length / 2)] as number;
    expect(median(delays) / median(good)).toBeGreaterThan(0.95);
    expect(median(delays) / median(good)).toBeLessThan(1.1);
    // Twice the good release's p99 (about 40 ms): ~3% of requests (most of the 4% tail), not ~0.
    const slow = delays.filter((d) => d > 80).length / delays.length;
    expect(slow).toBeGreaterThan(0.025);
    expect(slow).toBeLessThan(0.04);
    expect(good.filter((d) => d > 80).length).toBeLessThan(10);
    // Errors are the release's own: a tail fault fails nothing more.
    expect(plans.filter((p) => p.fail).length / plans.length).toBeLessThan(0.01);
    expect(plans.every((p) => p.faulty)).toBe(true);
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
    const leak = {
      version: 'v3',
      ...GOOD_RELEASE,
      fault: { afterSeconds: 5, leakBytesPerSecond: 1_048_576 },
    };
    expect(parseReleaseBehaviour(JSON.stringify(leak))).toEqual(leak);
    const tail = {
      version: 'v4',
      ...GOOD_RELEASE,
      fault: { afterSeconds: 5, tail: { share: 0.03, factor: 12 } },
    };
    expect(parseReleaseBehaviour(JSON.stringify(tail))).toEqual(tail);
    expect(() =>
      parseReleaseBehaviour(
        JSON.stringify({ ...tail, fault: { afterSeconds: 5, tail: { share: 3, factor: 12 } } }),
      ),
    ).toThrow('fault.tail.share must be within 0..1');
    expect(() =>
      parseReleaseBehaviour(JSON.stringify({ ...leak, fault: { afterSeconds: 5, leakBytesPerSecond: -1 } })),
    ).toThrow('fault.leakBytesPerSecond must be > 0');
  });
});
