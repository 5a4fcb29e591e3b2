import { mapMarkedValues } from '@rollgate/core';
import { describe, expect, it } from 'vitest';
import { validateExpositionOptions } from '../../src/exposition/validate-exposition-options';
import { ExpositionSourceOptionsSchema } from '../../src/options';

const URL = 'http://127.0.0.1:9100/metrics';

/** The message a bad option gets: CONFIG_INVALID naming the field, with the fix. */
function problem(options: unknown): string {
  try {
    validateExpositionOptions(options as never);
  } catch (error) {
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    return (error as Error).message;
  }
  throw new Error('the options were accepted');
}

describe('the exposition source options schema', () => {
  it('names the field and the fix, and never repeats a value', () => {
    expect(problem({ targets: [] })).toBe(
      'exposition source option targets: needs at least one metrics endpoint URL, e.g. ["http://127.0.0.1:8080/metrics"].',
    );
    expect(problem({ targets: ['http://user:s3cret@x/metrics'] })).toBe(
      'exposition source option targets[0].url: must not contain credentials; pass them as auth or headers.',
    );
    expect(problem({ targets: [{ url: URL, labels: { __name: 'x' } }] })).toContain(
      'targets[0].labels.__name: is not a valid label name (letters, digits and _, not starting with __)',
    );
    expect(problem({ targets: [{ url: URL, labels: { zone: 1 } }] })).toContain(
      'targets[0].labels.zone: must be a string',
    );
    expect(problem({ targets: [3] })).toContain('targets[0]: must be a URL string or { url, labels }');
    expect(problem({ targets: [URL], scrapeIntervalMs: 5 })).toContain(
      'scrapeIntervalMs: must be an integer from 10 to 3600000',
    );
    expect(problem({ targets: [URL], scrapeIntervalMs: 1000, scrapeTimeoutMs: 2000 })).toContain(
      'scrapeTimeoutMs: must be an integer from 1 to 1000',
    );
    expect(problem({ targets: [URL], scrapeIntervalMs: 100, retentionMs: 50 })).toContain(
      'retentionMs: must be an integer from 100 to',
    );
    expect(problem({ targets: [URL, { url: URL }] })).toContain(
      'targets[1]: has the same labels as an earlier target; scrape each endpoint once',
    );
    expect(problem({ targets: [URL], url: 'http://prometheus:9090' })).toContain(
      'url: unknown option "url": remove it or check the spelling',
    );
    // The Prometheus source's own fields keep its checks.
    expect(problem({ targets: [URL], headers: { Host: 'x' } })).toContain(
      'headers.Host: is set by the source itself; remove it',
    );
    expect(problem({ targets: [URL], dispatcher: {} })).toContain('dispatcher: must be an undici Dispatcher');
    expect(problem({ targets: [URL], auth: { type: 'bearer', token: ' s3cret' } })).not.toContain('s3cret');
  });

  it('applies the defaults and labels each target as Prometheus does', () => {
    const resolved = validateExpositionOptions({
      targets: [URL, { url: 'http://127.0.0.1:9101/metrics?x=1', labels: { zone: 'a', job: 'own' } }],
      scrapeIntervalMs: 2000,
    });
    expect(resolved).toMatchObject({ scrapeIntervalMs: 2000, scrapeTimeoutMs: 2000, retentionMs: 7_200_000 });
    expect(resolved.targets.map((t) => [t.shownUrl, t.labels])).toEqual([
      [URL, { job: 'exposition', instance: '127.0.0.1:9100' }],
      ['http://127.0.0.1:9101/metrics', { job: 'own', instance: '127.0.0.1:9101', zone: 'a' }],
    ]);
  });

  it('marks every header value and the credentials secret', () => {
    const options = {
      targets: [URL],
      headers: { 'X-Scope-OrgID': 'tenant' },
      auth: { type: 'basic', username: 'u', password: 'pw' },
    };
    const masked = mapMarkedValues(ExpositionSourceOptionsSchema, options, 'secret', () => '***');
    expect(masked).toEqual({
      ...options,
      headers: { 'X-Scope-OrgID': '***' },
      auth: { ...options.auth, password: '***' },
    });
    const resolved = validateExpositionOptions(options as never);
    expect(resolved.secrets).toContain('tenant');
    expect(resolved.headers.authorization).toBe(`Basic ${Buffer.from('u:pw').toString('base64')}`);
  });
});
