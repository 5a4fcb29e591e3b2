import { describe, expect, it } from 'vitest';
import { REDACTED, redactKeyPatterns, redactSecret } from '../../src/nerdgraph/redact';

describe('redactSecret', () => {
  it('removes the key in plain, JSON-escaped and URL-encoded form', () => {
    const key = 'plain"key\\with/and space';
    const text = `a ${key} b ${JSON.stringify(key)} c ${encodeURIComponent(key)}`;
    const out = redactSecret(text, key);
    expect(out).not.toContain(key);
    expect(out).not.toContain(JSON.stringify(key).slice(1, -1));
    expect(out).not.toContain(encodeURIComponent(key));
    expect(out.split(REDACTED).length - 1).toBe(3);
  });

  it('leaves text without the key alone', () => {
    expect(redactSecret('nothing here', 'k3y-value')).toBe('nothing here');
    expect(redactSecret('x', '')).toBe('x');
  });
});

describe('redactKeyPatterns', () => {
  it('removes user keys and echoed API-Key headers of any shape', () => {
    const out = redactKeyPatterns(
      'key NRAK-ABCDEFGHIJKLMNOPQRSTUVWXYZ1 / API-Key: custom-123 / {"api-key":"other-456"} / api_key=third-789',
    );
    for (const secret of ['ABCDEFGHIJKLMNOPQRSTUVWXYZ1', 'custom-123', 'other-456', 'third-789']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('API-Key: [redacted]');
  });

  it('keeps ordinary error text', () => {
    const text = "NRQL Syntax Error: Error at line 1 position 7, unexpected 'FORM'";
    expect(redactKeyPatterns(text)).toBe(text);
  });
});
