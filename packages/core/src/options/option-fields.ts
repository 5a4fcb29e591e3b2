import { z } from 'zod';

/**
 * Field builders for adapter options. An adapter's options are read from a configuration file
 * whose values may come from the environment (`${NAME}`), so number and boolean fields also
 * accept their text form ("30", "true"); embedders passing numbers see no difference.
 */

const NUMERIC_TEXT = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** A number, or its text form as `${ENV}` substitution produces it. */
export function numberOption<T extends z.ZodType>(schema: T) {
  return z.preprocess(
    (value) => (typeof value === 'string' && NUMERIC_TEXT.test(value.trim()) ? Number(value) : value),
    schema,
  );
}

/** A boolean, or "true"/"false" as `${ENV}` substitution produces it. */
export function booleanOption() {
  return z.preprocess(
    (value) => (value === 'true' ? true : value === 'false' ? false : value),
    z.boolean({ error: 'expected true or false' }),
  );
}

/** Non-empty text; `what` says what to write (`a namespace`). */
export function textOption(what: string) {
  return z.string({ error: `expected ${what}` }).min(1, { error: `${what} must not be empty` });
}

/** A whole number from `min` to `max`; `unit` reads ` of seconds`. */
export function wholeNumberOption(min: number, max: number, unit = '') {
  const error = `must be a whole number${unit} from ${min} to ${max}`;
  return numberOption(
    z
      .number({ error: `expected a whole number${unit} from ${min} to ${max}` })
      .int({ error })
      .min(min, { error })
      .max(max, { error }),
  );
}

/** Milliseconds above 0 (or from 0 with `zero`), at most `max`: every one fits a Node timer. */
export function millisecondsOption(max: number, zero = false) {
  return numberOption(
    zero
      ? z
          .number({ error: `expected a number of milliseconds from 0 to ${max}` })
          .min(0, { error: `must be from 0 to ${max} ms` })
          .max(max, { error: `must be from 0 to ${max} ms` })
      : z
          .number({ error: `expected a number of milliseconds, more than 0 and at most ${max}` })
          .positive({ error: `must be more than 0 ms (at most ${max})` })
          .max(max, { error: `must be at most ${max} ms` }),
  );
}

/** A mapping of names to text values; `what` describes it in the error. */
export function textMapOption(what = 'a mapping of names to text values, e.g. { X-Scope-OrgID: team-a }') {
  return z.record(z.string(), z.string({ error: 'expected a text value (quote numbers: "1")' }), {
    error: `expected ${what}`,
  });
}
