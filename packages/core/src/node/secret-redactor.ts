import { Buffer } from 'node:buffer';

/** What a redacted secret is replaced with. */
export const REDACTED = '[redacted]';

/** Declared secrets shorter than this are not searched for: redacting "ab" would mangle everything. */
export const MIN_SECRET_LENGTH = 4;

/**
 * A secret at least this long that looks like a credential cannot occur in ordinary text by
 * accident, so it is found anywhere, even glued to other characters (`%22<secret>%22`).
 * Shorter or weaker ones are matched only as whole tokens.
 */
const STRONG_SECRET_LENGTH = 16;

const WORD = /[A-Za-z0-9_]/;

/** A function that replaces every known secret in a text with {@link REDACTED}. */
export type Redact = (text: string) => string;

/**
 * Whether a string looks like a credential rather than a word: at least 8 characters with both
 * letters and digits (`T0AB12CD3`, `k-abc123def`), or at least 24 characters of anything.
 * Parts of a URL are registered as secrets only when they pass: `json`, `services` or
 * `rollgate-hook` in a webhook path are words, and redacting them mangled `application/json`.
 */
export function looksLikeCredential(text: string): boolean {
  if (text.length >= 24) return true;
  return text.length >= 8 && /[A-Za-z]/.test(text) && /[0-9]/.test(text);
}

/** Options for {@link createSecretRedactor}. */
export interface SecretRedactorOptions {
  /**
   * Find every secret anywhere, even inside a longer word. For values an adapter knows are
   * credentials (its API key, a password, a bearer token): they are never ordinary words, and a
   * reply may glue them to other characters. Default false: a short or weak secret is matched
   * only as a whole token, so a configuration value such as `prod` does not mangle the output.
   */
  readonly everywhere?: boolean;
  /**
   * Credential shapes to redact even when the value is not known (an echoed `Bearer <token>`,
   * a New Relic `NRAK-...` key). Each must be global (`/g`); what it matches after its first
   * capture group (the prefix kept, e.g. `Bearer `) is replaced with {@link REDACTED}.
   */
  readonly patterns?: readonly RegExp[];
}

/**
 * The one redactor of Rollgate: every file and output a secret could reach (audit records,
 * snapshots, verification records, reports, notifications, stdout and stderr) goes through
 * one made from the configuration's secrets, and every adapter makes one from its own
 * credentials for its error messages. It finds each secret in the forms it travels in
 * (raw, URL-encoded, JSON-escaped, base64). Secrets shorter than {@link MIN_SECRET_LENGTH} are
 * ignored; a short or weak one is matched only as a whole token (not inside a longer word), a
 * strong one ({@link looksLikeCredential}, 16+ characters) or any with `everywhere` anywhere.
 */
export function createSecretRedactor(
  secrets: Iterable<string | undefined>,
  options: SecretRedactorOptions = {},
): Redact {
  const forms = new Map<string, boolean>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.trim().length < MIN_SECRET_LENGTH) continue;
    const strong =
      options.everywhere === true || (secret.length >= STRONG_SECRET_LENGTH && looksLikeCredential(secret));
    for (const form of [
      secret,
      encodeURIComponent(secret),
      JSON.stringify(secret).slice(1, -1),
      Buffer.from(secret).toString('base64'),
    ]) {
      if (form.length >= MIN_SECRET_LENGTH) forms.set(form, (forms.get(form) ?? false) || strong);
    }
  }
  const sorted = [...forms].sort(([a], [b]) => b.length - a.length);
  const patterns = options.patterns ?? [];
  if (sorted.length === 0 && patterns.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const [form, anywhere] of sorted) {
      if (out.includes(form)) out = replaceAll(out, form, anywhere);
    }
    for (const pattern of patterns) {
      out = out.replace(
        pattern,
        (_match, prefix: unknown) => `${typeof prefix === 'string' ? prefix : ''}${REDACTED}`,
      );
    }
    return out;
  };
}

/** Replaces `form` in `text`: everywhere, or only where it stands as a whole token. */
function replaceAll(text: string, form: string, anywhere: boolean): string {
  const needStart = !anywhere && WORD.test(form[0] as string);
  const needEnd = !anywhere && WORD.test(form[form.length - 1] as string);
  let out = '';
  let from = 0;
  for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) {
    if (at < from) continue;
    const before = at > 0 ? (text[at - 1] as string) : '';
    const after = at + form.length < text.length ? (text[at + form.length] as string) : '';
    if ((needStart && WORD.test(before)) || (needEnd && WORD.test(after))) continue;
    out += text.slice(from, at) + REDACTED;
    from = at + form.length;
  }
  return out + text.slice(from);
}

/**
 * A JSON value with every string (object keys included) passed through `redact`; numbers,
 * booleans and null unchanged. For records written to files: redacting the value rather than
 * the serialized text keeps it valid JSON whatever a secret contains.
 */
export function redactValue<T>(value: T, redact: Redact): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[redact(k)] = walk(item);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/** Query parameter names whose values are credentials whatever they look like. */
const CREDENTIAL_PARAM = /key|token|secret|sig|code|pass|auth|cred/i;

/**
 * The parts of a URL that may be credentials: user info always; query values named like a
 * credential (`token`, `code`, `sig`) or looking like one; path segments
 * that look like credentials (a Slack webhook's `T0AB12CD3/B0XY45Z67/<token>`), and then the
 * whole path (the URL is its own secret). Words such as `services` or `json` are not.
 */
export function urlSecrets(url: URL): string[] {
  const out = [url.username, url.password, safeDecode(url.username), safeDecode(url.password)];
  let secretQuery = false;
  for (const [name, value] of url.searchParams) {
    if (!CREDENTIAL_PARAM.test(name) && !looksLikeCredential(value)) continue;
    out.push(value, encodeURIComponent(value));
    secretQuery = true;
  }
  if (secretQuery) out.push(url.search.slice(1));
  const secretSegments = url.pathname
    .split('/')
    .flatMap((segment) => [segment, safeDecode(segment)])
    .filter(looksLikeCredential);
  if (secretSegments.length > 0) out.push(url.pathname, `${url.pathname}${url.search}`, ...secretSegments);
  return [...new Set(out.filter((s) => s.length > 0))];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
