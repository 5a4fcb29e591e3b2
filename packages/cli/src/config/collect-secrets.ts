import { mapOptionValues } from '@rollgate/core';
import type { z } from 'zod';
import { REDACTED } from '../io/secret-redactor';

/**
 * Field names whose values are credentials, for fields the schema does not describe (a misspelt
 * field, an adapter that is not installed): the schema's `secretOption` marks are the rule, these
 * names a safety net so a token under an unknown field is still never printed.
 */
const SECRET_KEYS = new Set([
  'token',
  'password',
  'apiKey',
  'routingKey',
  'secret',
  'passphrase',
  'key',
  'privateKeyPem',
  'privateKey',
]);
/** Maps whose every value is treated as a credential (`Authorization: Bearer ...`, `dep` env). */
const SECRET_MAPS = new Set(['headers', 'env']);
/** Whether a field the schema does not describe is named like a credential. */
function isSecretName(segments: readonly (string | number)[]): boolean {
  const last = segments.at(-1);
  const parent = segments.at(-2);
  if (typeof last === 'string' && SECRET_KEYS.has(last)) return true;
  return typeof parent === 'string' && SECRET_MAPS.has(parent);
}

/**
 * Every secret value in a configuration tree, and a copy of the tree with each one replaced by
 * `[redacted]` (for `rollgate config print`). The fields `schema` marks as secrets (tokens,
 * passwords, API and routing keys, TLS keys, every header and `env` value, webhook URLs: a Slack
 * URL is its own credential), values from secret-looking variables (`fromSecretVariables`), and
 * the credentials inside any `https://user:pass@host` URL count.
 */
export function collectSecrets(
  schema: z.core.$ZodType,
  tree: unknown,
  fromSecretVariables: ReadonlySet<string>,
): { readonly secrets: string[]; readonly masked: unknown } {
  const secrets: string[] = [];
  const masked = mapOptionValues(schema, tree, (value, { path: segments, meta, type }) => {
    if (typeof value === 'string') {
      const path = segments.join('\u0000');
      const described = type !== null && type !== 'unknown';
      const secret = meta.secret === true || (!described && isSecretName(segments));
      const credentials = urlCredentials(value);
      if (secret || fromSecretVariables.has(path)) {
        // A secret URL's password too: a driver's error may quote it alone.
        secrets.push(value, ...credentials);
        return REDACTED;
      }
      if (credentials.length > 0) {
        secrets.push(...credentials);
        let masked = value;
        for (const c of credentials) masked = masked.split(c).join(REDACTED);
        return masked;
      }
      return value;
    }
    return value;
  });
  return { secrets: secrets.filter((s) => s.length > 0), masked };
}

/** The password of a URL that carries one, in raw and decoded forms. */
function urlCredentials(value: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/\s]*@/i.test(value)) return [];
  try {
    const url = new URL(value);
    const out: string[] = [];
    if (url.password === '') return [];
    out.push(url.password);
    try {
      out.push(decodeURIComponent(url.password));
    } catch {
      // A malformed escape: the raw form is already listed.
    }
    return out;
  } catch {
    return [];
  }
}
