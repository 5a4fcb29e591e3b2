import { RollgateError } from '@rollgate/core';
import { SimulatedClock } from '@rollgate/core/testing';
import { describe, expect, it } from 'vitest';

describe('workspace resolution', () => {
  it('resolves @rollgate/core to its sources through the source condition', () => {
    expect(new RollgateError('TIMEOUT', 'x').code).toBe('TIMEOUT');
    expect(new SimulatedClock(5).now()).toBe(5);
  });
});
