import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/errors/redactor';

describe('Redactor', () => {
  it('removes registered secrets and any bearer or basic credential', () => {
    const r = new Redactor();
    r.add('s3cr3t-token-value');
    expect(r.redact('token s3cr3t-token-value leaked twice: s3cr3t-token-value')).toBe(
      'token [REDACTED] leaked twice: [REDACTED]',
    );
    expect(r.redact('Authorization: Bearer eyJhbGciOi.x.y')).toBe('Authorization: Bearer [REDACTED]');
    expect(r.redact('Basic dXNlcjpwYXNz')).toBe('Basic [REDACTED]');
  });

  it('ignores secrets too short to be safe to blank', () => {
    const r = new Redactor();
    r.add('abc');
    expect(r.redact('abc')).toBe('abc');
  });
});
