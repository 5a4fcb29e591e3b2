import { describeZodIssue } from '@rollgate/core';
import type { z } from 'zod';
import { closest } from '../cli/did-you-mean';
import type { ConfigProblem } from './config-problems';
import { fieldsAt } from './schema-fields';

/**
 * The problems of a failed zod parse of `input` against `schema`, under `prefix` (the place of
 * `input` in the file). An unknown field becomes one problem per name, located at the name, with
 * the closest known field as a guess; a wrong tag or enum value names the closest allowed one.
 */
export function zodProblems(
  error: z.ZodError,
  schema: z.core.$ZodType,
  input: unknown,
  prefix: readonly (string | number)[] = [],
): ConfigProblem[] {
  return error.issues.flatMap((issue): ConfigProblem[] => {
    const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = fieldsAt(schema, path, input).filter((k) => !issue.keys.includes(k));
      return issue.keys.map((key) => {
        const guess = closest(key, known);
        return {
          path: [...prefix, ...path, key],
          atKey: true,
          message: guess
            ? `unknown field "${key}"; did you mean "${guess}"?`
            : `unknown field "${key}": remove it${known.length > 0 ? `; the fields here are ${known.join(', ')}` : ''}`,
        };
      });
    }
    const given = valueAt(input, path);
    // The value is only used to tell its type (and "missing"); messages never quote it.
    let message = describeZodIssue({ ...issue, input: given } as z.core.$ZodIssue);
    const allowed =
      issue.code === 'invalid_value'
        ? issue.values.filter((v): v is string => typeof v === 'string')
        : issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)
          ? (issue.options as unknown[]).filter((v): v is string => typeof v === 'string')
          : [];
    if (typeof given === 'string' && allowed.length > 0) {
      const guess = closest(given, allowed);
      if (guess) message += ` (did you mean "${guess}"?)`;
    }
    return [{ path: [...prefix, ...path], message }];
  });
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let value = input;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}
