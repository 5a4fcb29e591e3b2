import { secretOption, textOption, wholeNumberOption } from '@rollgate/core';
import { z } from 'zod';
import { identifierProblem } from '../nrql/nrql-literals';
import { MAX_CONCURRENT_REQUESTS } from './newrelic-source-options';

/**
 * The options of the New Relic source, as a configuration file writes them (`sources.<name>`
 * without `type`) and as `createNewRelicSource` checks them: the one description of every field,
 * its bounds and its secret (`apiKey`). Runtime-only options (`dispatcher`, `clock`, `name`) are
 * checked by the factory.
 */

/** NerdGraph's `$timeout` range in seconds. */
export const NRQL_TIMEOUT_RANGE = { min: 5, max: 120 } as const;

// Header values must be visible ASCII: anything else would be rejected by undici (whose error
// could quote the header) or would split the header.
const API_KEY_SHAPE = /^[\x21-\x7e]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: NRQL fragments must stay on their line
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const FRAGMENT = 'a non-empty NRQL fragment without control characters';

/** An NRQL condition or expression, inserted as written (trimmed). */
const nrqlFragment = () =>
  z
    .string({ error: `expected ${FRAGMENT}` })
    .refine((value) => value.trim().length > 0 && !CONTROL_EXCEPT_WHITESPACE.test(value), {
      error: `must be ${FRAGMENT}`,
    });

/** An event type or attribute name, quoted as an NRQL identifier. */
const identifier = () =>
  z.string({ error: 'expected a New Relic event type or attribute name' }).superRefine((value, ctx) => {
    const problem = identifierProblem(value);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: `${problem}; use the name exactly as New Relic reports it` });
    }
  });

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.map((v) => `'${v}'`).join(', ')}` });

const ACCOUNT_ID =
  'a whole number from 1 to 9007199254740991: the positive integer account id shown in New Relic, e.g. 1234567';

/** `sources.<name>` of `type: newrelic`, and the options of `createNewRelicSource`. */
export const NewRelicSourceOptionsSchema = z.strictObject({
  accountId: z
    .number({ error: `expected ${ACCOUNT_ID}` })
    .int({ error: `must be ${ACCOUNT_ID}` })
    .min(1, { error: `must be ${ACCOUNT_ID}` })
    .max(Number.MAX_SAFE_INTEGER, { error: `must be ${ACCOUNT_ID}` }),
  apiKey: secretOption(
    textOption('a New Relic user key (NRAK-...)').regex(API_KEY_SHAPE, {
      error:
        'contains whitespace or characters that cannot go in an HTTP header; copy the user key again without surrounding spaces or line breaks',
    }),
  ),
  region: oneOf(['us', 'eu']).default('us'),
  endpoint: z
    .string({ error: 'expected an http(s) URL' })
    .superRefine((value, ctx) => {
      const problem = endpointProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  timeoutSeconds: wholeNumberOption(NRQL_TIMEOUT_RANGE.min, NRQL_TIMEOUT_RANGE.max, ' of seconds').optional(),
  maxConcurrent: wholeNumberOption(1, MAX_CONCURRENT_REQUESTS).optional(),
  maxResponseBytes: wholeNumberOption(1024, 2 ** 31, ' of bytes').optional(),
  transactions: z
    .strictObject({ eventType: identifier().optional(), errorWhere: nrqlFragment().optional() })
    .optional(),
  resources: z
    .strictObject({
      eventType: oneOf(['SystemSample', 'ProcessSample']).optional(),
      aggregation: oneOf(['average', 'max', 'latest']).optional(),
      memoryExpression: nrqlFragment().optional(),
      cpuExpression: nrqlFragment().optional(),
    })
    .optional(),
  health: z
    .discriminatedUnion(
      'source',
      [
        z.strictObject({ source: z.literal('event'), eventType: identifier(), readyWhere: nrqlFragment() }),
        z.strictObject({ source: z.literal('metric'), metricName: identifier() }),
      ],
      { error: "must be 'event' or 'metric'" },
    )
    .optional(),
});

/** The options as written. */
export type NewRelicSourceOptionsInput = z.input<typeof NewRelicSourceOptionsSchema>;
/** The options after the schema, `region` defaulted. */
export type NewRelicSourceOptionsParsed = z.output<typeof NewRelicSourceOptionsSchema>;

/** What is wrong with an endpoint URL, or undefined; never repeats it (it may hold the key). */
function endpointProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL; give a full URL such as https://api.newrelic.com/graphql';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (url.username !== '' || url.password !== '') {
    return 'must not carry credentials: remove them from the URL and pass the key as `apiKey`';
  }
  return undefined;
}
