import type { z } from 'zod';
import { describeZodIssue, formatPath } from '../contract/config-error';
import type { RollgateError } from '../errors/rollgate-error';

/**
 * Parses an adapter's options with its schema, the one a configuration file is checked with, so
 * an embedder calling the adapter's factory gets the same words as `rollgate config check`. The
 * first problem becomes the adapter's own `CONFIG_INVALID` through `invalid(option, message)`:
 * `option` is the field's path (`auth.token`, `headers.X-Org`), `message` what is wrong and the
 * fix. Values are never quoted (they may be secrets).
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  input: unknown,
  invalid: (option: string, message: string) => RollgateError,
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    throw invalid(formatOption([...path, key]), `unknown option "${key}": remove it or check the spelling`);
  }
  if (
    issue.code === 'invalid_union' &&
    issue.discriminator !== undefined &&
    path.at(-1) !== issue.discriminator
  ) {
    path.push(issue.discriminator);
  }
  // A tag or enum with its own wording ("must be 'us' or 'eu'") keeps it.
  const worded =
    (issue.code === 'invalid_value' || issue.code === 'invalid_union') && !ZOD_WORDING.test(issue.message);
  // The value only tells its type (and "missing"): messages never quote it.
  const given = valueAt(input, issue.path);
  const described = describeZodIssue({ ...issue, input: given } as z.core.$ZodIssue);
  throw invalid(formatOption(path), worded ? issue.message : described);
}

/** How zod's own messages start: a schema's own wording does not. */
const ZOD_WORDING = /^(Invalid|Too (small|big)|Unrecognized|Expected)/;

/** `auth.token`, `headers.X-Org`, `gate.urls[0]`; `(options)` for the whole object. */
function formatOption(path: readonly (string | number)[]): string {
  const text = formatPath(path);
  return text === '(root)' ? '(options)' : text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}
