import { describe, expect, it } from 'vitest';
import { RollgateError, reviveRollgateError } from '../../src/errors/rollgate-error';

describe('RollgateError', () => {
  it('carries code, retryable, component and cause', () => {
    const cause = new Error('socket hang up');
    const err = new RollgateError('SOURCE_UNAVAILABLE', 'Prometheus did not answer; check the url.', {
      retryable: true,
      component: 'prometheus-source',
      cause,
      retryAfterMs: 2000,
    });
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(err.component).toBe('prometheus-source');
    expect(err.cause).toBe(cause);
    expect(err.retryAfterMs).toBe(2000);
    expect(err).toBeInstanceOf(Error);
  });

  it('is recognised across copies of the package through its Symbol.for brand', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('rollgate.error')]: true, code: 'TIMEOUT' });
    expect(RollgateError.is(foreign)).toBe(true);
    expect(RollgateError.is(new Error('plain'))).toBe(false);
    expect(RollgateError.is(null)).toBe(false);
    expect(RollgateError.is('CONFIG_INVALID')).toBe(false);
  });

  it('wraps foreign throws with the fallback code and keeps them as cause', () => {
    const original = new TypeError('boom');
    const wrapped = RollgateError.from(original, 'CUTOVER_FAILED', 'executor');
    expect(wrapped.code).toBe('CUTOVER_FAILED');
    expect(wrapped.component).toBe('executor');
    expect(wrapped.cause).toBe(original);
    const same = new RollgateError('TIMEOUT', 't');
    expect(RollgateError.from(same)).toBe(same);
  });

  it('serialises without stack or cause and revives to an equal error', () => {
    const err = new RollgateError('SOURCE_RATE_LIMITED', 'slow down', {
      retryable: true,
      retryAfterMs: 1500,
      details: { status: 429 },
      cause: new Error('secret-bearing cause'),
    });
    const json = JSON.parse(JSON.stringify(err));
    expect(json).toEqual({
      code: 'SOURCE_RATE_LIMITED',
      message: 'slow down',
      retryable: true,
      component: 'core',
      retryAfterMs: 1500,
      details: { status: 429 },
    });
    const revived = reviveRollgateError(json);
    expect(revived.toJSON()).toEqual(json);
  });
});
