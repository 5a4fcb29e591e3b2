import { describe, expect, it } from 'vitest';
import { argoRollouts } from '../../src/peers/argo-rollouts';
import { handMade, inMinute, minuteEnd } from './hand-made';

describe('argo rollouts emulation', () => {
  const errorsFromMinute1 = handMade({
    verdict: 'rollback',
    faultStartStep: 372,
    errors: (t, n) => (t >= 372 ? n / 10 : 0),
  });

  it('fails the run on the measurement that exceeds failureLimit', () => {
    expect(argoRollouts(errorsFromMinute1, { failureLimit: 0 })).toMatchObject({
      decision: 'rollback',
      decidedAtStep: minuteEnd(1),
      signal: 'error-rate',
    });
    expect(argoRollouts(errorsFromMinute1, { failureLimit: 2 }).decidedAtStep).toBe(minuteEnd(3));
  });

  it('counts failures per metric', () => {
    // One failed error-rate minute and one failed latency minute: neither metric exceeds failureLimit 1.
    const mixed = handMade({
      verdict: 'rollback',
      faultStartStep: 372,
      errors: (t, n) => (inMinute(t, 1) ? n / 10 : 0),
      latencyBucket: (t) => (inMinute(t, 2) ? 6 : 3),
    });
    expect(argoRollouts(mixed, { failureLimit: 1 }).decision).toBe('keep');
    expect(argoRollouts(mixed, { failureLimit: 0 }).decidedAtStep).toBe(minuteEnd(1));
  });

  it('treats no data as an Error measurement and aborts after more than consecutiveErrorLimit', () => {
    const silentFrom2 = handMade({ requests: (t) => (t >= 360 + 24 ? 0 : 100) });
    // Errors in minutes 2..6: the fifth consecutive one (> 4) ends the run at minute 6.
    expect(argoRollouts(silentFrom2, { failureLimit: 0 })).toMatchObject({
      decision: 'rollback',
      decidedAtStep: minuteEnd(6),
      signal: 'no-data',
    });
    expect(argoRollouts(silentFrom2, { failureLimit: 0, consecutiveErrorLimit: 1 }).decidedAtStep).toBe(
      minuteEnd(3),
    );
    // Four silent minutes and then traffic again: the count resets, the run completes.
    const gap = handMade({ requests: (t) => ([2, 3, 4, 5].some((k) => inMinute(t, k)) ? 0 : 100) });
    expect(argoRollouts(gap, { failureLimit: 0 }).decision).toBe('keep');
  });
});
