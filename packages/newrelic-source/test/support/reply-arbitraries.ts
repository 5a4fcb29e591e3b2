import fc from 'fast-check';

/** A reply as the fuzzers generate it. */
export interface FuzzReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
}

const valueLike = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constant(null),
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.array(fc.double(), { maxLength: 3 }),
  fc.dictionary(
    fc.string({ maxLength: 4 }),
    fc.oneof(fc.double(), fc.constant(null), fc.string({ maxLength: 3 })),
    {
      maxKeys: 3,
    },
  ),
);

const rowLike = fc.dictionary(
  fc.oneof(
    fc.constantFrom('value', 'count', 'facet', 'region', 'beginTimeSeconds', 'endTimeSeconds'),
    fc.string({ maxLength: 6 }),
  ),
  valueLike,
  { maxKeys: 4 },
);

const resultsLike = fc.oneof(
  { weight: 4, arbitrary: fc.array(rowLike, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

const errorsLike = fc.oneof(
  fc.array(
    fc.record(
      {
        message: fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.constantFrom('NRQL Syntax Error: x', 'Invalid API key'),
        ),
        path: fc.constant(['actor', 'account', 'nrql']),
        extensions: fc.record(
          {
            errorClass: fc.constantFrom(
              'TOO_MANY_REQUESTS',
              'TIMEOUT',
              'INTERNAL_SERVER_ERROR',
              'SERVER_ERROR',
              'OTHER',
            ),
            error_code: fc.constantFrom('BAD_API_KEY', 'X'),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
  fc.jsonValue({ maxDepth: 1 }),
);

/** JSON that looks like the NerdGraph envelope, with every level liable to be wrong. */
const envelopeLike = fc
  .record(
    {
      data: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.record({
            actor: fc.record({
              account: fc.record({ nrql: fc.oneof(fc.record({ results: resultsLike }), fc.constant(null)) }),
            }),
          }),
        },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
      ),
      errors: errorsLike,
    },
    { requiredKeys: [] },
  )
  .map((value) => JSON.stringify(value));

/** Well-formed NRQL results with one value per row (numbers, nulls, threshold objects, `{}`). */
const resultEnvelope = fc
  .array(
    fc.oneof(
      fc.record({
        value: fc.oneof(fc.double(), fc.integer(), fc.constant(null), fc.record({ '99': fc.double() })),
      }),
      fc.record({ 'percentile.duration': fc.record({ '99': fc.oneof(fc.double(), fc.constant(null)) }) }),
      fc.constant({}),
    ),
    { maxLength: 4 },
  )
  .map((rows) => JSON.stringify({ data: { actor: { account: { nrql: { results: rows } } } } }));

/** Arbitrary reply bodies: raw bytes, arbitrary JSON, arbitrary text, near-envelopes and results. */
export const replyBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 5, arbitrary: envelopeLike },
  { weight: 2, arbitrary: resultEnvelope },
);

const retryAfter = fc.oneof(
  fc.nat({ max: 100_000 }).map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
);

/** Statuses a server can send with a body (1xx cannot). */
export const replyStatus = fc.oneof(
  { weight: 3, arbitrary: fc.constant(200) },
  { weight: 2, arbitrary: fc.constantFrom(401, 403, 429, 500, 502, 503, 504) },
  { weight: 2, arbitrary: fc.integer({ min: 200, max: 599 }) },
);

export const fuzzReply: fc.Arbitrary<FuzzReply> = fc.record({
  status: replyStatus,
  headers: fc
    .option(retryAfter, { nil: undefined })
    .map((value): Record<string, string> => (value === undefined ? {} : { 'retry-after': value })),
  body: replyBody,
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The oracle, written independently of `classify`: is this reply a valid NRQL result? HTTP 2xx,
 * a JSON object, no non-empty `errors`, and `data.actor.account.nrql.results` a list of objects
 * (or null).
 */
export function isValidNrqlReply(status: number, body: string | Uint8Array): boolean {
  if (status < 200 || status > 299) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
  } catch {
    return false;
  }
  if (!isRecord(parsed)) return false;
  if (Array.isArray(parsed.errors) && parsed.errors.length > 0) return false;
  if (parsed.errors !== undefined && parsed.errors !== null && !Array.isArray(parsed.errors)) return false;
  const nrql = (
    ((parsed.data as Record<string, unknown> | undefined)?.actor as Record<string, unknown> | undefined)
      ?.account as Record<string, unknown> | undefined
  )?.nrql;
  if (!isRecord(nrql)) return false;
  const { results } = nrql;
  return results === null || (Array.isArray(results) && results.every(isRecord));
}

/** Every number anywhere in a JSON body (to check a source never invents sample values). */
export function numbersIn(body: string | Uint8Array): Set<number> {
  const found = new Set<number>();
  const walk = (node: unknown): void => {
    if (typeof node === 'number') found.add(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (isRecord(node)) Object.values(node).forEach(walk);
  };
  try {
    walk(JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body)));
  } catch {
    // not JSON: no numbers
  }
  return found;
}
