import type { z } from 'zod';
import { RollgateError } from '../errors/rollgate-error';

/** Renders a path as `signals[1].rules[0].type`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove or check the spelling`;
    case 'invalid_union': {
      const options = 'options' in issue ? issue.options : undefined;
      if (issue.discriminator !== undefined && options && options.length > 0) {
        return `expected one of ${options.map((v) => JSON.stringify(v)).join(' | ')}`;
      }
      return issue.message;
    }
    case 'invalid_type':
      return issue.message.startsWith('Invalid input') ? `expected ${issue.expected}` : issue.message;
    default:
      return issue.message;
  }
}

/**
 * The lines of a zod error, one per issue: `path: what is wrong and what is allowed`.
 */
export function formatZodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    let path = [...issue.path];
    // A discriminated union without a matching tag points at the object; name the tag field.
    // (zod 4.6 already ends the path with it; older versions stop at the object).
    if (
      issue.code === 'invalid_union' &&
      issue.discriminator !== undefined &&
      issue.errors.length === 0 &&
      path.at(-1) !== issue.discriminator
    ) {
      path = [...path, issue.discriminator];
    }
    return `${formatPath(path)}: ${describeIssue(issue)}`;
  });
}

/**
 * A `CONFIG_INVALID` RollgateError for a zod failure: the message names where the input came
 * from, every bad field's path and what is allowed; the zod error is kept as `cause`.
 */
export function configError(error: z.ZodError, origin: string, component = 'contract'): RollgateError {
  const lines = formatZodIssues(error);
  return new RollgateError(
    'CONFIG_INVALID',
    `${origin} is invalid:\n${lines.map((l) => `  - ${l}`).join('\n')}`,
    { component, cause: error, details: { issues: lines } },
  );
}
