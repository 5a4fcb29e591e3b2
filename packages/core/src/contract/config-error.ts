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

/** What to write, in words, for each type zod can expect. */
const EXPECTED: Readonly<Record<string, string>> = {
  object: 'a mapping (indented `key: value` lines, or { key: value })',
  record: 'a mapping of names to values (indented `name: value` lines, or { name: value })',
  map: 'a mapping of names to values',
  array: 'a list (`- item` lines, or [a, b])',
  tuple: 'a list',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  literal: 'a fixed value',
  null: 'nothing',
};

/** The type of what was found, in the words of {@link EXPECTED}. */
const RECEIVED: Readonly<Record<string, string>> = {
  object: 'a mapping',
  array: 'a list',
  string: 'text',
  number: 'a number',
  boolean: 'true/false',
  null: 'an empty value',
  undefined: 'nothing',
};

function receivedOf(issue: z.core.$ZodIssue): string | undefined {
  if ('input' in issue) {
    const input = issue.input;
    if (input === null) return 'null';
    if (Array.isArray(input)) return 'array';
    return typeof input;
  }
  return /received (\w+)/.exec(issue.message)?.[1];
}

/**
 * One zod issue in words a person can act on: what is wrong and what to write. Never quotes the
 * value that was given (it may be a secret that landed in the wrong field).
 */
export function describeZodIssue(issue: z.core.$ZodIssue): string {
  const custom = !/^(Invalid|Too (small|big)|Unrecognized|Expected)/.test(issue.message);
  switch (issue.code) {
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove or check the spelling`;
    case 'invalid_union': {
      const options = 'options' in issue ? (issue.options as unknown[] | undefined) : undefined;
      if (issue.discriminator !== undefined && options && options.length > 0) {
        return `expected one of ${options.map((v) => JSON.stringify(v)).join(' | ')}`;
      }
      return custom ? issue.message : 'does not match any of the allowed forms: see docs/config.md';
    }
    case 'invalid_type': {
      const received = receivedOf(issue);
      const words = EXPECTED[issue.expected] ?? issue.expected;
      if (received === 'undefined') {
        const field = issue.path.at(-1);
        const what = custom ? issue.message.replace(/^expected /, '') : words;
        return `missing: add ${typeof field === 'string' ? field : 'it'}: ${what}`;
      }
      if (custom) return issue.message;
      const got = received === undefined ? undefined : (RECEIVED[received] ?? received);
      return `expected ${words}${got === undefined ? '' : `, not ${got}`}`;
    }
    case 'too_small':
    case 'too_big': {
      if (custom) return issue.message;
      const small = issue.code === 'too_small';
      const bound = Number(small ? issue.minimum : issue.maximum);
      const inclusive = issue.inclusive !== false;
      switch (issue.origin) {
        case 'string':
          return small && bound <= 1
            ? 'must not be empty'
            : `must have ${small ? 'at least' : 'at most'} ${bound} characters`;
        case 'array':
        case 'set':
          return `must hold ${small ? 'at least' : 'at most'} ${bound} item${bound === 1 ? '' : 's'}`;
        default:
          return `must be ${small ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than'} ${bound}`;
      }
    }
    case 'invalid_key': {
      const inner = issue.issues[0];
      return `the name "${String(issue.path.at(-1) ?? '')}" is not allowed here${inner ? `: ${describeZodIssue(inner)}` : ''}`;
    }
    case 'invalid_format':
      return custom ? issue.message : `is not a valid ${issue.format}`;
    case 'not_multiple_of':
      return custom ? issue.message : `must be a multiple of ${String(issue.divisor)}`;
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
    return `${formatPath(path)}: ${describeZodIssue(issue)}`;
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
