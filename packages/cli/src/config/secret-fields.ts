// Kept free of @rollgate/core's main entry (zod): stdout and stderr are redacted from the first
// byte, before `--help` decides it needs nothing else.

/** Environment variable names that announce a credential, whatever field they fill. */
const SECRET_VARIABLE =
  /TOKEN|SECRET|PASSWORD|PASSWD|PASS|API_?KEY|PRIVATE|KEY|AUTH|CREDENTIAL|WEBHOOK|COOKIE|SESSION/i;

/** Whether an environment variable's name says it holds a credential. */
export function isSecretVariable(name: string): boolean {
  return SECRET_VARIABLE.test(name);
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
