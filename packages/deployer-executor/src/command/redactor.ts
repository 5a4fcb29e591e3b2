import { createSecretRedactor, type Redact } from '@rollgate/core/node';

/** Replaces known secret values in text taken from `dep`'s output. */
export type Redactor = Redact;

const SECRET_NAME = /TOKEN|SECRET|PASS|KEY|AUTH|CRED|PRIVATE|SESSION|COOKIE|SIGN/i;
const LONG_VALUE = 16;

/**
 * A redactor for `options.env`: a deploy.php may echo those values (tokens, passwords), and
 * output lines go into errors, warnings and audit records. Redacted: the value of every variable
 * whose name looks secret (`DEPLOY_TOKEN`, `DB_PASSWORD`, `SSH_AUTH_SOCK`) and every value of 16
 * characters or more, whatever its name. Short values under plain names (`STAGE=prod`) stay,
 * or every host name or stage in the output would disappear. The replacing is core's redactor.
 */
export function createRedactor(env: Readonly<Record<string, string>>): Redactor {
  const values = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) || value.length >= LONG_VALUE)
    .map(([, value]) => value);
  return createSecretRedactor(values, { everywhere: true });
}
