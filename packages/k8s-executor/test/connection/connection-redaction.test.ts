import { describe, expect, it } from 'vitest';
import { createKubeConnection } from '../../src/connection/kube-connection';

/** A connection with a token; nothing is loaded or sent until a request is made. */
function connectionWithToken(token: string) {
  return createKubeConnection({ server: 'https://127.0.0.1:6443', token });
}

describe('a connection redacts its credentials', () => {
  it('removes its token and any bearer or basic credential', async () => {
    const connection = connectionWithToken('s3cr3t-token-value');
    try {
      expect(connection.redact('token s3cr3t-token-value leaked twice: s3cr3t-token-value')).toBe(
        'token [redacted] leaked twice: [redacted]',
      );
      expect(connection.redact('Authorization: Bearer eyJhbGciOi.x.y')).toBe(
        'Authorization: Bearer [redacted]',
      );
      expect(connection.redact('Basic dXNlcjpwYXNz')).toBe('Basic [redacted]');
    } finally {
      await connection.close();
    }
  });

  it('ignores secrets too short to be safe to blank', async () => {
    const connection = connectionWithToken('abc');
    try {
      expect(connection.redact('abc')).toBe('abc');
    } finally {
      await connection.close();
    }
  });
});
