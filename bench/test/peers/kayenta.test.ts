import { describe, expect, it } from 'vitest';
import { classifyMetric, kayenta, removeOutliers } from '../../src/peers/kayenta';
import { handMade, minuteEnd } from './hand-made';

describe('kayenta emulation', () => {
  it('classifies a clearly higher canary High and an overlapping one Pass', () => {
    const control = Array.from({ length: 30 }, (_, i) => 1 + i / 100);
    expect(classifyMetric(control, [2, 2.1, 2.2, 2.3, 2.4], 'increase', 0.25, 0.98)).toBe('High');
    expect(classifyMetric(control, [2, 2.1, 2.2, 2.3, 2.4], 'decrease', 0.25, 0.98)).toBe('Pass');
    expect(classifyMetric(control, [1.05, 1.1, 1.15, 1.2, 1.25], 'increase', 0.25, 0.98)).toBe('Pass');
    expect(classifyMetric(control, [], 'increase', 0.25, 0.98)).toBe('Nodata');
    expect(classifyMetric([1, 1, 1], [0.5, 0.5], 'decrease', 0.25, 0.98)).toBe('Low');
  });

  it('drops points beyond 3 IQR', () => {
    expect(removeOutliers([1, 2, 3, 4, 5, 6, 7, 8, 100])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  // Error rate 0.1% before the deploy, 10% after: the critical metric fails, the score is 0.
  const errors = handMade({
    verdict: 'rollback',
    faultStartStep: 360,
    errors: (t, n) => (t >= 360 ? n / 10 : t % 10 === 0 ? 1 : 0),
  });

  it('fails a critical metric at the first interval judgement', () => {
    const d = kayenta(errors, { intervalMinutes: 5 });
    expect(d).toMatchObject({ decision: 'rollback', decidedAtStep: minuteEnd(4), signal: 'error-rate' });
    expect(d.reason).toContain('score 0');
    expect(kayenta(errors, { intervalMinutes: 15 }).decidedAtStep).toBe(minuteEnd(14));
  });

  it('passes one failing non-critical metric of four (score 75) and fails two at the end (score 50)', () => {
    const leak = (t: number) => (t < 360 ? 4e8 + (t % 7) * 1e5 : 4e8 + (t - 359) * 1e6);
    const memoryOnly = handMade({ verdict: 'rollback', faultStartStep: 360, memory: leak });
    expect(kayenta(memoryOnly, { intervalMinutes: 5 }).decision).toBe('keep');
    const memoryAndReady = handMade({
      verdict: 'rollback',
      faultStartStep: 360,
      memory: leak,
      ready: (t) => (t >= 360 ? 0.5 : 1),
    });
    // 50 is not below marginal (50), so the interim judgements pass; the final one is below pass (75).
    const d = kayenta(memoryAndReady, { intervalMinutes: 5 });
    expect(d).toMatchObject({ decision: 'rollback', decidedAtStep: minuteEnd(14) });
    expect(d.reason).toContain('score 50');
  });

  it('keeps a deploy identical to its baseline', () => {
    expect(kayenta(handMade({}), { intervalMinutes: 5 }).decision).toBe('keep');
  });
});
