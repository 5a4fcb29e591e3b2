import {
  booleanOption,
  pathOption,
  secretOption,
  textMapOption,
  textOption,
  wholeNumberOption,
} from '@rollgate/core';
import { z } from 'zod';
import { LABEL_NAME_PATTERN, METRIC_NAME_PATTERN } from '../promql/label-matchers';

/**
 * The options of the Prometheus source, as a configuration file writes them (`sources.<name>`
 * without `type`) and as `createPrometheusSource` checks them: the one description of every
 * field, its bounds, which fields are paths (`tls.*File`) and which are secrets. Runtime-only
 * options (`dispatcher`, `clock`) are checked by the factory.
 */

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the source sets itself or that undici manages. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
]);
const LINE_BREAK = /[\r\n\0]/;

/** The largest `timeoutMs`: a single read that takes longer than 10 min is a failure. */
export const MAX_TIMEOUT_MS = 600_000;

const pem = () =>
  z.union(
    [
      z.string().min(1),
      z.instanceof(Uint8Array),
      z.array(z.union([z.string().min(1), z.instanceof(Uint8Array)])).min(1),
    ],
    {
      error: 'expected PEM text, or a list of PEM texts',
    },
  );

const url = textOption('the Prometheus base URL, e.g. http://prometheus:9090').superRefine((value, ctx) => {
  const problem = urlProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const auth = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('bearer'),
      token: secretOption(
        textOption('a bearer token').refine((t) => !LINE_BREAK.test(t) && t.trim() === t, {
          error: 'must be a token without spaces at the ends or line breaks',
        }),
      ),
    }),
    z.strictObject({
      type: z.literal('basic'),
      username: textOption('a user name').refine((u) => !LINE_BREAK.test(u) && !u.includes(':'), {
        error: 'must be a user name without ":" or line breaks',
      }),
      password: secretOption(
        textOption('a password').refine((p) => !LINE_BREAK.test(p), {
          error: 'must not contain line breaks',
        }),
      ),
    }),
  ],
  { error: 'expected { type: bearer, token } or { type: basic, username, password }' },
);

const tls = z.strictObject({
  ca: pem().optional(),
  caFile: pathOption(textOption('a file path')).optional(),
  cert: pem().optional(),
  certFile: pathOption(textOption('a file path')).optional(),
  key: secretOption(pem()).optional(),
  keyFile: pathOption(textOption('a file path')).optional(),
  passphrase: secretOption(z.string()).optional(),
  rejectUnauthorized: booleanOption().optional(),
  servername: textOption('a server name').optional(),
});

const metricName = () =>
  z.string().regex(METRIC_NAME_PATTERN, {
    error: 'must be a valid Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)',
  });

const metrics = z.strictObject({
  requests: metricName().optional(),
  statusLabel: z
    .string()
    .regex(LABEL_NAME_PATTERN, { error: 'must be a valid Prometheus label name' })
    .optional(),
  errorStatusPattern: textOption('a regular expression')
    .refine(isRegExp, { error: 'is not a valid regular expression' })
    .optional(),
  latencyHistogram: metricName()
    .refine((name) => !/_(bucket|count|sum)$/.test(name), {
      error: "is the histogram's base name; drop the _bucket, _count or _sum suffix",
    })
    .optional(),
  latencyUnit: z.enum(['seconds', 'milliseconds']).optional(),
  memory: metricName().optional(),
  cpu: metricName().optional(),
  ready: metricName().optional(),
  restarts: metricName().optional(),
});

/** `sources.<name>` of `type: prometheus`, and the options of `createPrometheusSource`. */
export const PrometheusSourceOptionsSchema = z
  .strictObject({
    url,
    auth: auth.optional(),
    headers: secretOption(textMapOption()).optional(),
    tls: tls.optional(),
    timeoutMs: wholeNumberOption(1, MAX_TIMEOUT_MS, ' of milliseconds').optional(),
    connections: wholeNumberOption(1, 1024).optional(),
    maxResponseBytes: wholeNumberOption(1024, 2 ** 31, ' of bytes').optional(),
    metrics: metrics.optional(),
  })
  .superRefine((options, ctx) => {
    const seen = new Set<string>();
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      const path = ['headers', name];
      const lower = name.toLowerCase();
      const problem = !HEADER_NAME.test(name)
        ? 'is not a valid HTTP header name'
        : RESERVED_HEADERS.has(lower)
          ? 'is set by the source itself; remove it'
          : lower === 'authorization' && options.auth !== undefined
            ? 'conflicts with the auth option; use one of them'
            : LINE_BREAK.test(value)
              ? 'must be a value without line breaks'
              : seen.has(lower)
                ? 'is given twice (header names are case-insensitive)'
                : undefined;
      seen.add(lower);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path, message: problem });
    }
    if (options.tls !== undefined) {
      if (!/^https:/i.test(options.url)) {
        ctx.addIssue({ code: 'custom', path: ['tls'], message: 'needs an https url' });
      }
      const cert = options.tls.cert !== undefined || options.tls.certFile !== undefined;
      const key = options.tls.key !== undefined || options.tls.keyFile !== undefined;
      if (cert !== key) {
        ctx.addIssue({
          code: 'custom',
          path: ['tls', cert ? 'key' : 'cert'],
          message: 'client certificates need both tls.cert and tls.key (or their *File forms)',
        });
      }
    }
  });

/** The options as written (numbers may still be text from `${NAME}`). */
export type PrometheusSourceOptionsInput = z.input<typeof PrometheusSourceOptionsSchema>;
/** The options after the schema. */
export type PrometheusSourceOptionsParsed = z.output<typeof PrometheusSourceOptionsSchema>;

/** What is wrong with a base URL, or undefined; never repeats the URL (it may hold credentials). */
function urlProblem(value: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return 'is not a valid absolute URL; use e.g. http://prometheus:9090';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `must use http or https, not ${parsed.protocol.replace(':', '')}`;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'must not contain credentials; pass them as auth: { type: "basic", username, password }';
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    return 'must not contain a query string or fragment; pass API keys as auth or headers';
  }
  return undefined;
}

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
