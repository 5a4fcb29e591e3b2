import { formatPath } from '@rollgate/core';

/** A `${NAME}` reference that could not be resolved, or a malformed one. */
export interface SubstitutionProblem {
  /** The field holding the reference, e.g. `sources.prom.auth.token`. */
  readonly path: string;
  readonly segments: readonly (string | number)[];
  readonly message: string;
}

/** The tree with every reference replaced, and what each substitution touched. */
export interface SubstitutionResult {
  readonly value: unknown;
  readonly problems: readonly SubstitutionProblem[];
  /** Every field that received a value from the environment, with the variable names used. */
  readonly substituted: readonly {
    readonly segments: readonly (string | number)[];
    readonly variables: readonly string[];
    readonly value: string;
  }[];
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string value of a parsed configuration
 * (never in keys, and after parsing, so a value can never inject YAML). `${NAME:-default}` uses
 * the default when NAME is unset or empty; `$${` writes a literal `${`. An unset variable without
 * a default, or a malformed reference, is a problem naming the field and the variable, and the
 * value is never shown.
 */
export function substituteEnv(
  tree: unknown,
  env: Readonly<Record<string, string | undefined>>,
): SubstitutionResult {
  const problems: SubstitutionProblem[] = [];
  const substituted: { segments: (string | number)[]; variables: string[]; value: string }[] = [];
  const walk = (value: unknown, segments: (string | number)[]): unknown => {
    if (typeof value === 'string') return substituteString(value, segments);
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...segments, i]));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = walk(item, [...segments, key]);
      return out;
    }
    return value;
  };
  const substituteString = (text: string, segments: (string | number)[]): string => {
    if (!text.includes('${')) return text;
    const variables: string[] = [];
    const problem = (message: string) => problems.push({ path: formatPath(segments), segments, message });
    const result = text.replace(REFERENCE, (match, body: string | undefined) => {
      if (match === '$${') return '${';
      if (body === undefined) {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the message quotes the reference syntax
        problem('an unclosed "${": write ${NAME} or ${NAME:-default}, or $${ for a literal "${"');
        return match;
      }
      const sep = body.indexOf(':-');
      const name = sep === -1 ? body : body.slice(0, sep);
      if (!NAME.test(name)) {
        problem(
          `"\${${sep === -1 ? body : `${name}:-...`}}" is not a variable reference: write \${NAME} or \${NAME:-default} (letters, digits and _), or $\${ for a literal "\${"`,
        );
        return match;
      }
      variables.push(name);
      const current = env[name];
      if (sep !== -1) return current === undefined || current === '' ? body.slice(sep + 2) : current;
      if (current === undefined) {
        problem(
          `environment variable ${name} is not set; export it before running rollgate, or write \${${name}:-default}`,
        );
        return match;
      }
      return current;
    });
    if (variables.length > 0) substituted.push({ segments, variables, value: result });
    return result;
  };
  const value = walk(tree, []);
  return { value, problems, substituted };
}
