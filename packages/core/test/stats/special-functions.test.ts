import { describe, expect, it } from 'vitest';
import {
  binomialUpperTail,
  lnGamma,
  logBeta,
  regularizedBeta,
  studentTUpperTail,
} from '../../src/stats/special-functions';

// Reference values from scipy.special / scipy.stats 1.17 (gammaln, betaln, betainc, betaincc,
// t.sf, binom.sf).
function close(actual: number, expected: number, relative = 1e-10): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(expected)));
}

describe('lnGamma', () => {
  it.each([
    [1e-3, 6.907178885383853],
    [0.5, 0.5723649429247],
    [1, 0],
    [2.5, 0.2846828704729192],
    [7, 6.579251212010101],
    [10, 12.801827480081469],
    [33.3, 82.60372358165493],
    [1e6, 12815504.569147611],
    [1e12, 26631021115915.65],
  ])('lnGamma(%d) matches scipy', (x, expected) => close(lnGamma(x), expected, 1e-13));

  it('is NaN outside its domain', () => {
    expect(lnGamma(0)).toBeNaN();
    expect(lnGamma(-1)).toBeNaN();
  });
});

describe('logBeta', () => {
  it.each([
    [0.5, 0.5, 1.1447298858494],
    [2, 3, -2.4849066497880004],
    [9.5, 12, -14.660284594004006],
    [91, 17910, -573.2490385012061],
    [5e6, 995e6, -31479072.738193512],
    [1, 1e12, -27.631021115928547],
  ])('logBeta(%d, %d) matches scipy, without cancellation at huge arguments', (a, b, expected) =>
    close(logBeta(a, b), expected, 1e-12),
  );
});

describe('regularizedBeta', () => {
  it.each([
    [0.3, 2.5, 7.5, 0.6789434858661821, 0.32105651413381836],
    [0.005, 91, 17910, 0.4720048690564157, 0.5279951309435843],
    [0.0065, 91, 17910, 0.9945230545417796, 0.005476945458220464],
    [1e-5, 1, 1e5, 0.6321223982334279, 0.36787760176657225],
    [0.9, 50, 5, 0.361447139727378, 0.6385528602726219],
    [0.5, 1e6, 1e6, 0.5, 0.5],
  ])('I_%d(%d, %d) and its complement match scipy', (x, a, b, lower, upper) => {
    close(regularizedBeta(x, a, b), lower, 1e-11);
    close(regularizedBeta(x, a, b, true), upper, 1e-11);
  });

  it('computes tiny tails directly rather than as 1 minus something', () => {
    // P(Bin(600, 0.005) >= 60) = 1.68e-56: far below double precision of 1 - x.
    close(binomialUpperTail(60, 600, 0.005), 1.6809608082406223e-56, 1e-9 * 1.68e-56 + 1e-70);
    expect(binomialUpperTail(60, 600, 0.005) / 1.6809608082406223e-56).toBeCloseTo(1, 9);
    close(binomialUpperTail(5, 100, 0.01), 0.0034323215877545207, 1e-12);
    close(binomialUpperTail(1, 10, 0.5), 0.9990234375, 1e-13);
  });

  it('handles the ends of [0, 1] and rejects bad parameters', () => {
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
    expect(regularizedBeta(0, 2, 3, true)).toBe(1);
    expect(regularizedBeta(0.5, 0, 3)).toBeNaN();
    expect(binomialUpperTail(0, 10, 0.3)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.3)).toBe(0);
  });
});

describe('studentTUpperTail', () => {
  it.each([
    [2.1, 7, 0.036935598106461326],
    [-1, 3, 0.8044988905221148],
    [0, 5, 0.5],
  ])('P(T_%d > t) matches scipy', (t, dof, expected) => close(studentTUpperTail(t, dof), expected, 1e-12));

  it('keeps relative precision deep in the tail', () => {
    expect(studentTUpperTail(10, 100) / 4.950844492297065e-17).toBeCloseTo(1, 9);
    expect(studentTUpperTail(40, 538) / 1.2774725770628637e-163).toBeCloseTo(1, 8);
    expect(studentTUpperTail(Number.POSITIVE_INFINITY, 3)).toBe(0);
  });
});
