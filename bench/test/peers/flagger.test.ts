import { describe, expect, it } from 'vitest';
import { flagger } from '../../src/peers/flagger';
import { tuneThresholds } from '../../src/peers/tuning';
import { handMade, inMinute, minuteEnd } from './hand-made';

describe('flagger emulation', () => {
  // 10% errors in bake minutes 1..14 (none in minute 0): the check of minute 1 is the first to fail.
  const errorsFromMinute1 = handMade({
    verdict: 'rollback',
    faultStartStep: 372,
    errors: (t, n) => (t >= 372 ? n / 10 : 0),
  });

  it('tunes the success-rate floor from the history (binomial quantile plus margin)', () => {
    const t = tuneThresholds(errorsFromMinute1);
    // 1200 requests a minute, p floored at 0.1% (mean 1.2 errors): P(X > 5) = 0.0015 > 0.001 but
    // P(X > 6) = 0.0003, so 6 errors a minute are tolerated: 6/1200 + 0.5 pp.
    expect(t.errorRateMax).toBeCloseTo(6 / 1200 + 0.005, 10);
    expect(t.successRateMinPct).toBeCloseTo(99, 10);
    // histogram_quantile puts the p99 of a minute all in (25, 50] at 25 + 25·0.99; tolerated: 1.5x.
    expect(t.p99MaxMs).toBeCloseTo(1.5 * 49.75, 10);
    expect(t.memoryMaxBytes).toBeCloseTo(5e8, 0);
  });

  it('with threshold 1 rolls back on the tick after the first failed check', () => {
    const d = flagger(errorsFromMinute1, { threshold: 1 });
    expect(d.decision).toBe('rollback');
    expect(d.decidedAtStep).toBe(minuteEnd(2));
    expect(d.signal).toBe('error-rate');
  });

  it('with threshold 5 counts failed checks cumulatively, not consecutively', () => {
    // Failures in minutes 1, 3, 5, 7, 9 (passing minutes in between do not reset the count).
    const alternating = handMade({
      verdict: 'rollback',
      faultStartStep: 372,
      errors: (t, n) => ([1, 3, 5, 7, 9].some((k) => inMinute(t, k)) ? n / 10 : 0),
    });
    const d = flagger(alternating, { threshold: 5 });
    expect(d.decision).toBe('rollback');
    expect(d.decidedAtStep).toBe(minuteEnd(10));
    expect(flagger(errorsFromMinute1, { threshold: 5 }).decidedAtStep).toBe(minuteEnd(6));
  });

  it('counts a minute with no requests as a failed check', () => {
    const silent = handMade({ requests: (t) => (inMinute(t, 3) ? 0 : 100) });
    const d = flagger(silent, { threshold: 1 });
    expect(d.decision).toBe('rollback');
    expect(d.decidedAtStep).toBe(minuteEnd(4));
    expect(d.signal).toBe('no-data');
    expect(flagger(silent, { threshold: 2 }).decision).toBe('keep');
  });

  it('fails the p99 check when every request lands two buckets higher, and keeps a healthy deploy', () => {
    const slow = handMade({
      verdict: 'rollback',
      faultStartStep: 360,
      latencyBucket: (t) => (t >= 360 ? 5 : 3),
    });
    const d = flagger(slow, { threshold: 1 });
    expect(d.decidedAtStep).toBe(minuteEnd(1));
    expect(d.signal).toBe('latency');
    expect(flagger(handMade({}), { threshold: 1 })).toMatchObject({ decision: 'keep', decidedAtStep: null });
  });

  it('applies the memory and readiness checks a user adds as custom metrics', () => {
    const leak = handMade({
      verdict: 'rollback',
      faultStartStep: 360,
      memory: (t) => (t < 360 ? 4e8 : 4e8 + (t - 359) * 1.5e7),
    });
    // 4e8 · 1.25 = 5e8 is crossed at step 366 (minute 0): rollback at the end of minute 1.
    expect(flagger(leak, { threshold: 1 })).toMatchObject({ decidedAtStep: minuteEnd(1), signal: 'memory' });
    const probe = handMade({
      verdict: 'rollback',
      faultStartStep: 400,
      ready: (t) => (t >= 400 ? 2 / 3 : 1),
    });
    expect(flagger(probe, { threshold: 1 })).toMatchObject({ decidedAtStep: minuteEnd(4), signal: 'health' });
  });
});
