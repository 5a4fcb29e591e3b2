import { RollgateError } from '@rollgate/core';
import { createSecretRedactor } from '@rollgate/core/node';

/** A connection string taken apart: what may be shown, and what must never be. */
export interface ConnectionTarget {
  /** `postgresql://user@host:port/database`: safe for messages and logs (no password, no query). */
  readonly display: string;
  /** Replaces every secret of the connection string (password, encoded or not) with `[redacted]`. */
  redact(text: string): string;
}

/**
 * Parses a `postgres://` or `postgresql://` URL without ever putting it in an error: a
 * malformed URL is `CONFIG_INVALID` naming only what is wrong (the WHATWG parser's own error
 * would carry the whole input, password included).
 */
export function parseConnectionTarget(url: unknown, field = 'url'): ConnectionTarget {
  const invalid = (what: string) =>
    new RollgateError(
      'CONFIG_INVALID',
      `${field}: ${what}. Give a connection URL such as postgresql://rollgate:PASSWORD@db.example:5432/rollgate (for example from \${DATABASE_URL}).`,
      { component: 'postgres-store' },
    );
  if (typeof url !== 'string' || url.trim() === '') throw invalid('no connection URL was given');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('it is not a valid URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw invalid(`it must start with postgresql:// or postgres://, not ${parsed.protocol}//`);
  }
  if (parsed.hostname === '' && !parsed.searchParams.has('host')) throw invalid('it names no host');
  const secrets = new Set<string>();
  const addSecret = (value: string) => {
    secrets.add(value);
    try {
      secrets.add(decodeURIComponent(value));
    } catch {
      // Not percent-encoded: the raw form is enough.
    }
  };
  if (parsed.password) addSecret(parsed.password);
  for (const name of ['password', 'sslpassword', 'sslkey']) {
    const value = parsed.searchParams.get(name);
    if (value) addSecret(value);
  }
  const user = parsed.username ? `${decodeSafe(parsed.username)}@` : '';
  const host = parsed.hostname || parsed.searchParams.get('host') || '';
  const display = `postgresql://${user}${host}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  return { display, redact: createSecretRedactor(secrets, { everywhere: true }) };
}

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
