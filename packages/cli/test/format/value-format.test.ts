import { SIGNAL_KIND_TABLE, SIGNAL_KINDS } from '@rollgate/core';
import { describe, expect, it } from 'vitest';
import { formatValue, unitFor } from '../../src/format/value-format';

describe('unitFor', () => {
  it('reads each kind and rule as the progress table and the report show it', () => {
    const units = {
      'error-rate': ['static', 'baseline-ratio', 'sequential'].map((rule) => unitFor('error-rate', rule)),
      latency: ['static', 'baseline-ratio', 'sequential'].map((rule) => unitFor('latency', rule)),
      memory: ['static', 'baseline-ratio', 'rate-of-change'].map((rule) =>
        unitFor('resource', rule, 'memory'),
      ),
      cpu: ['static', 'baseline-ratio', 'rate-of-change'].map((rule) => unitFor('resource', rule, 'cpu')),
      health: ['health', 'static'].map((rule) => unitFor('health', rule)),
    };
    expect(units).toEqual({
      'error-rate': ['rate', 'rate', 'rate'],
      latency: ['ms', 'ms', 'rate'],
      memory: ['bytes', 'bytes', 'bytes/s'],
      cpu: ['cores', 'cores', 'cores/s'],
      health: ['fraction', 'number'],
    });
    // A resource whose kind of reading is unknown (a report without the signal) reads as bytes.
    expect(unitFor('resource', 'static')).toBe('bytes');
    expect(formatValue(1536, unitFor('resource', 'rate-of-change'))).toBe('1.5 KiB/s');
  });

  it('gives every kind of the table a unit, and a kind it does not know a plain number', () => {
    for (const kind of SIGNAL_KINDS) {
      for (const rule of SIGNAL_KIND_TABLE[kind].rules) expect(unitFor(kind, rule)).not.toBe('');
    }
    expect(unitFor('', 'static')).toBe('number');
    expect(unitFor('toString', 'static')).toBe('number');
    expect(unitFor('', 'sequential')).toBe('rate');
  });
});
