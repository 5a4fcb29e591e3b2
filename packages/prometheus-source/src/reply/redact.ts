import { createSecretRedactor, REDACTED, type Redact } from '@rollgate/core/node';

export { REDACTED };

/** One redactor per secrets list (the source's options hold one list for their lifetime). */
const redactors = new WeakMap<readonly string[], Redact>();

/**
 * `text` with every secret replaced through core's redactor. Used on anything that came from
 * the server or the HTTP stack (a proxy may echo request headers into an error page) before it
 * goes into an error message or `details`. The secrets are credentials, so they are found
 * anywhere, in every form they travel in.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let redactor = redactors.get(secrets);
  if (redactor === undefined) {
    redactor = createSecretRedactor(secrets, { everywhere: true });
    redactors.set(secrets, redactor);
  }
  return redactor(text);
}

/** True when `text` contains any of the secrets (in a form {@link redact} would replace). */
export function containsSecret(text: string, secrets: readonly string[]): boolean {
  return redact(text, secrets) !== text;
}
