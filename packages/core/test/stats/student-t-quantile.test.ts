import { describe, expect, it } from 'vitest';
import { studentTUpperTail } from '../../src/stats/special-functions';
import { studentTQuantile } from '../../src/stats/student-t-quantile';

// Reference values from scipy.stats.t.isf (scipy 1.17).
describe('studentTQuantile', () => {
  it.each([
    [0.025, 10, 2.2281388519862753],
    [0.05, 3, 2.353363434801824],
    [1e-4, 18, 4.648014155102374],
  ])('the t with upper tail %f at %i degrees of freedom', (p, dof, expected) => {
    expect(studentTQuantile(p, dof)).toBeCloseTo(expected, 8);
    expect(studentTUpperTail(studentTQuantile(p, dof), dof)).toBeCloseTo(p, 12);
  });

  it('answers a repeated pair with the very same number as the first computation', () => {
    const first = studentTQuantile(1e-4, 7);
    for (let i = 0; i < 3; i++) expect(Object.is(studentTQuantile(1e-4, 7), first)).toBe(true);
    expect(studentTQuantile(1e-4, 8)).not.toBe(first);
  });

  it('is infinite without degrees of freedom', () => {
    expect(studentTQuantile(0.05, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(studentTQuantile(0.05, Number.NaN)).toBe(Number.POSITIVE_INFINITY);
  });
});
