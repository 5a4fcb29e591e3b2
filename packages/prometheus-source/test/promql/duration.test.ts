import { describe, expect, it } from 'vitest';
import { apiTime, promqlDuration } from '../../src/promql/duration';

describe('promqlDuration', () => {
  it('uses the largest unit that divides the step exactly', () => {
    expect(promqlDuration(3_600_000)).toBe('1h');
    expect(promqlDuration(300_000)).toBe('5m');
    expect(promqlDuration(90_000)).toBe('90s');
    expect(promqlDuration(1000)).toBe('1s');
    expect(promqlDuration(1500)).toBe('1500ms');
    expect(promqlDuration(0.2)).toBe('1ms');
  });
});

describe('apiTime', () => {
  it('writes epoch ms as exact float seconds', () => {
    expect(apiTime(1_700_000_000_123)).toBe('1700000000.123');
    expect(apiTime(1_700_000_000_000)).toBe('1700000000');
    expect(apiTime(1_700_000_000_005)).toBe('1700000000.005');
    expect(apiTime(1500)).toBe('1.500');
  });
});
