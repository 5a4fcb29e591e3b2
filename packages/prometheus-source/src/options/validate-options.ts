import { readFileSync } from 'node:fs';
import { type Clock, markedValues, parseOptions, RollgateError } from '@rollgate/core';
import { systemClock } from '@rollgate/core/node';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { type ResolvedMetricNames, resolveMetricNames } from '../promql/metric-names';
import { COMPONENT } from '../reply/classify';
import {
  type PrometheusAuth,
  type PrometheusMetricNames,
  type PrometheusSourceOptions,
  type PrometheusSourceOptionsParsed,
  PrometheusSourceOptionsSchema,
  type PrometheusTlsOptions,
} from './prometheus-source-options-schema';

/** Options after validation, with defaults applied and the credentials turned into headers. */
export interface ResolvedOptions {
  /** `scheme://host:port`. */
  readonly origin: string;
  /** Path prefix without a trailing slash (`''` or `/prometheus`). */
  readonly basePath: string;
  /** `origin + basePath`, credential-free, for messages. */
  readonly url: string;
  /** Request headers including `authorization`; never shown anywhere. */
  readonly headers: Readonly<Record<string, string>>;
  /** Every value that must never be shown: tokens, passwords, encoded credentials, secret headers. */
  readonly secrets: readonly string[];
  readonly tls: PrometheusTlsOptions | undefined;
  readonly timeoutMs: number;
  readonly connections: number;
  readonly maxResponseBytes: number;
  readonly dispatcher: Dispatcher | undefined;
  readonly metrics: ResolvedMetricNames;
  readonly clock: Clock;
}

function invalid(option: string, message: string): RollgateError {
  return new RollgateError('CONFIG_INVALID', `prometheus-source option ${option}: ${message}.`, {
    component: COMPONENT,
    retryable: false,
    details: { option },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A problem with one option: `CONFIG_INVALID` naming it (each source words it its own way). */
export type OptionProblem = (option: string, message: string) => RollgateError;

/** The runtime-only `dispatcher`, checked (undefined when not given). */
export function parseDispatcher(value: unknown, problem: OptionProblem = invalid): Dispatcher | undefined {
  if (value === undefined) return undefined;
  const candidate = (typeof value === 'object' && value !== null ? value : {}) as {
    request?: unknown;
    dispatch?: unknown;
  };
  if (typeof candidate.request !== 'function' || typeof candidate.dispatch !== 'function') {
    throw problem('dispatcher', 'must be an undici Dispatcher (Agent, Pool, ProxyAgent, MockAgent)');
  }
  return value as Dispatcher;
}

/** The runtime-only `clock`, checked (`systemClock` when not given). */
export function parseClock(value: unknown, problem: OptionProblem = invalid): Clock {
  if (value === undefined) return systemClock;
  if (!isRecord(value) || typeof value.now !== 'function')
    throw problem('clock', 'must be a Clock with now()');
  return value as unknown as Clock;
}

/**
 * The request headers of parsed options (names lower-cased, `authorization` from `auth`) and every
 * value that must never be shown: each value the schema marks secret, and the encoded credentials.
 */
export function requestCredentials(
  schema: z.ZodType,
  parsed: {
    readonly headers?: Readonly<Record<string, string>> | undefined;
    readonly auth?: PrometheusAuth | undefined;
  },
): { headers: Record<string, string>; secrets: string[] } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.headers ?? {})) headers[name.toLowerCase()] = value;
  // Every header value is a secret (docs/config.md): a tenant id such as X-Scope-OrgID is as
  // private as a token, and a proxy may echo it back in an error body.
  const secrets = markedValues(schema, parsed, 'secret')
    .map((found) => found.value)
    .filter((value) => value.length > 0);
  const auth = parsed.auth;
  if (auth !== undefined) {
    const encoded =
      auth.type === 'basic'
        ? Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')
        : '';
    headers.authorization = auth.type === 'bearer' ? `Bearer ${auth.token}` : `Basic ${encoded}`;
    if (encoded !== '') secrets.push(encoded);
    secrets.push(headers.authorization);
  }
  return { headers, secrets };
}

/** The TLS options with each `*File` read into its inline form. */
function readTls(tls: NonNullable<PrometheusSourceOptionsParsed['tls']>): PrometheusTlsOptions {
  const { caFile, certFile, keyFile, ...inline } = tls;
  const read = (file: string, option: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw invalid(option, `cannot read ${file} (${code}); check the path and its permissions`);
    }
  };
  return {
    ...(inline as PrometheusTlsOptions),
    ...(caFile === undefined ? {} : { ca: read(caFile, 'tls.caFile') }),
    ...(certFile === undefined ? {} : { cert: read(certFile, 'tls.certFile') }),
    ...(keyFile === undefined ? {} : { key: read(keyFile, 'tls.keyFile') }),
  };
}

/**
 * Validates the factory options once, at the edge, with {@link PrometheusSourceOptionsSchema}
 * (the schema a configuration file is checked with) and the runtime-only options by hand. A
 * problem throws `RollgateError('CONFIG_INVALID')` naming the option and the fix; values (which
 * may be secrets) are never repeated in the message.
 */
export function validateOptions(options: PrometheusSourceOptions): ResolvedOptions {
  if (!isRecord(options)) throw invalid('(options)', 'must be an object with at least url');
  const { dispatcher: givenDispatcher, clock, ...described } = options as unknown as Record<string, unknown>;
  const parsed = parseOptions(PrometheusSourceOptionsSchema, described, invalid);
  const dispatcher = parseDispatcher(givenDispatcher);
  if (dispatcher !== undefined && parsed.tls !== undefined) {
    throw invalid(
      'tls',
      'applies only to the pool the source creates; with a dispatcher, set TLS in its connect options',
    );
  }
  if (dispatcher !== undefined && parsed.connections !== undefined) {
    throw invalid(
      'connections',
      'applies only to the pool the source creates; size your dispatcher yourself',
    );
  }
  const url = new URL(parsed.url);
  const basePath = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  const { headers, secrets } = requestCredentials(PrometheusSourceOptionsSchema, parsed);
  return {
    origin: url.origin,
    basePath,
    url: `${url.origin}${basePath}`,
    headers,
    secrets,
    tls: parsed.tls === undefined ? undefined : readTls(parsed.tls),
    timeoutMs: parsed.timeoutMs ?? 30_000,
    connections: parsed.connections ?? 16,
    maxResponseBytes: parsed.maxResponseBytes ?? 32 * 1024 * 1024,
    dispatcher,
    metrics: resolveMetricNames(parsed.metrics as PrometheusMetricNames | undefined),
    clock: parseClock(clock),
  };
}
