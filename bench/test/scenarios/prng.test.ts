import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/scenarios/prng';

describe('Prng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng('42');
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('draws uniforms, normals, Poisson and binomial counts with the right moments', () => {
    const rng = new Prng(7);
    const n = 20000;
    const moments = (draw: () => number) => {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const x = draw();
        s += x;
        s2 += x * x;
      }
      const mean = s / n;
      return { mean, variance: s2 / n - mean * mean };
    };
    const u = moments(() => rng.uniform());
    expect(u.mean).toBeCloseTo(0.5, 2);
    const z = moments(() => rng.normal());
    expect(Math.abs(z.mean)).toBeLessThan(0.03);
    expect(z.variance).toBeCloseTo(1, 1);
    for (const lambda of [0.2, 5, 100, 2500]) {
      const p = moments(() => rng.poisson(lambda));
      expect(Math.abs(p.mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / n) + 1e-3);
      expect(p.variance / lambda).toBeGreaterThan(0.93);
      expect(p.variance / lambda).toBeLessThan(1.07);
    }
    for (const [trials, prob] of [
      [100, 0.005],
      [1000, 0.3],
      [50, 0.9],
    ] as const) {
      const b = moments(() => rng.binomial(trials, prob));
      const sd = Math.sqrt(trials * prob * (1 - prob));
      expect(Math.abs(b.mean - trials * prob)).toBeLessThan((5 * sd) / Math.sqrt(n));
      expect(b.variance / (sd * sd)).toBeGreaterThan(0.92);
      expect(b.variance / (sd * sd)).toBeLessThan(1.08);
    }
  });
});
