import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/usage-error';
import { parseListenAddress } from '../../src/watch/metrics-listen';

describe('--metrics-listen', () => {
  it('takes HOST:PORT, [IPv6]:PORT or a port alone (loopback)', () => {
    expect(parseListenAddress('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress('0.0.0.0:9100')).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(parseListenAddress('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parseListenAddress('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress(':9464')).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it('refuses anything else with the flag and an example', () => {
    for (const bad of ['localhost', '127.0.0.1:', '127.0.0.1:99999', '::1:9464', 'host:port']) {
      expect(() => parseListenAddress(bad)).toThrow(UsageError);
      expect(() => parseListenAddress(bad)).toThrow(
        /--metrics-listen: expected HOST:PORT such as 127.0.0.1:9464/,
      );
    }
  });
});
