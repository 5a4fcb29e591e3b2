import { describe, expect, it } from 'vitest';
import { DemoUsageError, parseDemoOptions } from '../../src/demo/demo-options';

describe('pnpm demo flags', () => {
  it('reads every flag and ignores the -- pnpm passes through', () => {
    expect(
      parseDemoOptions(['--', '--json', '--healthy', '--keep', '--no-prometheus', '--report', 'r.html']),
    ).toEqual({
      json: true,
      healthy: true,
      keep: true,
      prometheus: false,
      report: 'r.html',
      verbose: false,
      help: false,
    });
    expect(parseDemoOptions([])).toMatchObject({
      json: false,
      healthy: false,
      prometheus: true,
      report: null,
    });
    expect(parseDemoOptions(['--report=x.html']).report).toBe('x.html');
  });

  it('refuses unknown flags and a --report without a file', () => {
    expect(() => parseDemoOptions(['--jsn'])).toThrow(DemoUsageError);
    expect(() => parseDemoOptions(['--report'])).toThrow('--report needs a file name');
  });
});
