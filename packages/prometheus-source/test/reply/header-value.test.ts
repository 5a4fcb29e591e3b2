import { describe, expect, it } from 'vitest';
import { headerValue } from '../../src/reply/header-value';

describe('headerValue', () => {
  it('is case-insensitive and takes the first of repeated headers', () => {
    expect(headerValue({ 'Retry-After': '5' }, 'retry-after')).toBe('5');
    expect(headerValue({ 'retry-after': ['5', '6'] }, 'Retry-After')).toBe('5');
    expect(headerValue({}, 'retry-after')).toBeUndefined();
  });
});
