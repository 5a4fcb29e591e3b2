const MIN_SECRET_LENGTH = 6;

/**
 * Remembers the credentials a connection sends (bearer tokens, basic-auth pairs) and scrubs them
 * from any text that could reach an error message, so a server or library that echoes a header
 * back cannot leak it.
 */
export class Redactor {
  readonly #secrets = new Set<string>();

  /** Registers a secret; short strings are ignored so common words are never blanked. */
  add(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH) this.#secrets.add(secret);
  }

  /** `text` with every registered secret and every `Bearer <token>` replaced by `[REDACTED]`. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.split(secret).join('[REDACTED]');
    return out.replace(/(Bearer|Basic)\s+[A-Za-z0-9\-._~+/=]+/g, '$1 [REDACTED]');
  }
}
