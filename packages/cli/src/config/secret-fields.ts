import { REDACTED } from '../io/secret-redactor';

/** Field names whose values are credentials wherever they appear. */
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
/** Environment variable names that announce a credential, whatever field they fill. */
const SECRET_VARIABLE =
  /TOKEN|SECRET|PASSWORD|PASSWD|PASS|API_?KEY|PRIVATE|KEY|AUTH|CREDENTIAL|WEBHOOK|COOKIE|SESSION/i;

/**
 * Whether the field at `segments` holds a secret: tokens, passwords, API and routing keys,
 * TLS keys, every header and `env` value, and webhook URLs (a Slack URL is its own credential).
 */
export function isSecretField(segments: readonly (string | number)[]): boolean {
  const last = segments.at(-1);
  const parent = segments.at(-2);
  if (typeof last === 'string' && SECRET_KEYS.has(last)) return true;
  if (typeof parent === 'string' && SECRET_MAPS.has(parent)) return true;
  return segments[0] === 'notify' && last === 'url';
}

/** Whether an environment variable's name says it holds a credential. */
export function isSecretVariable(name: string): boolean {
  return SECRET_VARIABLE.test(name);
}

/**
 * Every secret value in a configuration tree, and a copy of the tree with each one replaced by
 * `[redacted]` (for `rollgate config print`). Secret fields, values from secret-looking variables
 * (`fromSecretVariables`), and the credentials inside any `https://user:pass@host` URL count.
 */
export function collectSecrets(
  tree: unknown,
  fromSecretVariables: ReadonlySet<string>,
): { readonly secrets: string[]; readonly masked: unknown } {
  const secrets: string[] = [];
  const walk = (value: unknown, segments: (string | number)[]): unknown => {
    if (typeof value === 'string') {
      const path = segments.join('\u0000');
      if (isSecretField(segments) || fromSecretVariables.has(path)) {
        secrets.push(value);
        return REDACTED;
      }
      const credentials = urlCredentials(value);
      if (credentials.length > 0) {
        secrets.push(...credentials);
        let masked = value;
        for (const c of credentials) masked = masked.split(c).join(REDACTED);
        return masked;
      }
      return value;
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...segments, i]));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(value)) out[k] = walk(item, [...segments, k]);
      return out;
    }
    return value;
  };
  const masked = walk(tree, []);
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

/**
 * Values of environment variables whose names announce a credential (`*_TOKEN`, `*_API_KEY`,
 * ...), at least 8 characters long: redacted from all output from the start, before any
 * configuration is read, so even a message about a broken file cannot show one.
 */
export function environmentSecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(
      ([name, value]) =>
        value !== undefined && value.length >= 8 && !name.startsWith('npm_') && isSecretVariable(name),
    )
    .map(([, value]) => value as string);
}
