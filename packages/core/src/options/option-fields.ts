import { z } from 'zod';

/**
 * Field builders for adapter options, with errors that say what to write. A configuration file
 * may give a number or boolean as text (from `${NAME}`); the host turns such text into the type
 * the schema expects before parsing (see {@link mapOptionValues}), so the schemas stay strict.
 */

/** true or false. */
export function booleanOption() {
  return z.boolean({ error: 'expected true or false' });
}

/** Non-empty text; `what` says what to write (`a namespace`). */
export function textOption(what: string) {
  return z.string({ error: `expected ${what}` }).min(1, { error: `${what} must not be empty` });
}

/** A whole number from `min` to `max`; `unit` reads ` of seconds`. */
export function wholeNumberOption(min: number, max: number, unit = '') {
  const error = `must be a whole number${unit} from ${min} to ${max}`;
  return z
    .number({ error: `expected a whole number${unit} from ${min} to ${max}` })
    .int({ error })
    .min(min, { error })
    .max(max, { error });
}

/** Milliseconds above 0 (or from 0 with `zero`), at most `max`: every one fits a Node timer. */
export function millisecondsOption(max: number, zero = false) {
  return zero
    ? z
        .number({ error: `expected a number of milliseconds from 0 to ${max}` })
        .min(0, { error: `must be from 0 to ${max} ms` })
        .max(max, { error: `must be from 0 to ${max} ms` })
    : z
        .number({ error: `expected a number of milliseconds, more than 0 and at most ${max}` })
        .positive({ error: `must be more than 0 ms (at most ${max})` })
        .max(max, { error: `must be at most ${max} ms` });
}

/** A mapping of names to text values; `what` describes it in the error. */
export function textMapOption(what = 'a mapping of names to text values, e.g. { X-Scope-OrgID: team-a }') {
  return z.record(z.string(), z.string({ error: 'expected a text value (quote numbers: "1")' }), {
    error: `expected ${what}`,
  });
}
