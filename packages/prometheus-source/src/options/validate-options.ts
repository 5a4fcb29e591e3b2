import { type Clock, RollgateError } from '@rollgate/core';
import { systemClock } from '@rollgate/core/node';
import type { Dispatcher } from 'undici';
import { LABEL_NAME_PATTERN, METRIC_NAME_PATTERN } from '../promql/label-matchers';
import { type ResolvedMetricNames, resolveMetricNames } from '../promql/metric-names';
import { COMPONENT } from '../reply/classify';
import type { PrometheusSourceOptions, PrometheusTlsOptions } from './prometheus-source-options';

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

const KNOWN_OPTIONS = [
  'url',
  'auth',
  'headers',
  'tls',
  'timeoutMs',
  'connections',
  'maxResponseBytes',
  'dispatcher',
  'metrics',
  'clock',
] as const;
const KNOWN_METRICS = [
  'requests',
  'statusLabel',
  'errorStatusPattern',
  'latencyHistogram',
  'latencyUnit',
  'memory',
  'cpu',
  'ready',
  'restarts',
] as const;
const KNOWN_TLS = ['ca', 'cert', 'key', 'passphrase', 'rejectUnauthorized', 'servername'] as const;
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

function invalid(option: string, message: string, cause?: unknown): RollgateError {
  return new RollgateError('CONFIG_INVALID', `prometheus-source option ${option}: ${message}`, {
    component: COMPONENT,
    retryable: false,
    details: { option },
    ...(cause === undefined ? {} : { cause }),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejectUnknown(value: Record<string, unknown>, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const hint = key === 'timeout' ? ' (did you mean timeoutMs?)' : '';
      throw invalid(`${prefix}${key}`, `unknown option${hint}; known options are ${known.join(', ')}.`);
    }
  }
}

function positiveInteger(value: unknown, option: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(option, `must be an integer from ${min} to ${max}.`);
  }
  return value;
}

function parseUrl(value: unknown): { origin: string; basePath: string } {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw invalid(
      'url',
      'is required: the base URL of the Prometheus HTTP API, e.g. http://prometheus:9090.',
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch (cause) {
    // The text may hold credentials, so it is not repeated and the URL error is not kept.
    void cause;
    throw invalid('url', 'is not a valid absolute URL; use e.g. http://prometheus:9090.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalid('url', `must use http or https, not ${parsed.protocol.replace(':', '')}.`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw invalid(
      'url',
      'must not contain credentials; pass them as auth: { type: "basic", username, password }.',
    );
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw invalid('url', 'must not contain a query string or fragment; pass API keys as auth or headers.');
  }
  const basePath = parsed.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return { origin: parsed.origin, basePath };
}

function noLineBreaks(value: string): boolean {
  return !/[\r\n\0]/.test(value);
}

function parseAuth(value: unknown): { header: string | undefined; secrets: string[] } {
  if (value === undefined) return { header: undefined, secrets: [] };
  if (!isRecord(value))
    throw invalid('auth', 'must be { type: "bearer", token } or { type: "basic", username, password }.');
  if (value.type === 'bearer') {
    rejectUnknown(value, ['type', 'token'], 'auth.');
    const token = value.token;
    if (typeof token !== 'string' || token.length === 0 || !noLineBreaks(token) || token.trim() !== token) {
      throw invalid('auth.token', 'must be a non-empty string without spaces at the ends or line breaks.');
    }
    return { header: `Bearer ${token}`, secrets: [token] };
  }
  if (value.type === 'basic') {
    rejectUnknown(value, ['type', 'username', 'password'], 'auth.');
    const { username, password } = value;
    if (
      typeof username !== 'string' ||
      username.length === 0 ||
      username.includes(':') ||
      !noLineBreaks(username)
    ) {
      throw invalid('auth.username', 'must be a non-empty string without ":" or line breaks.');
    }
    if (typeof password !== 'string' || !noLineBreaks(password)) {
      throw invalid('auth.password', 'must be a string without line breaks.');
    }
    const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
    return { header: `Basic ${encoded}`, secrets: [password, encoded] };
  }
  throw invalid('auth.type', 'must be "bearer" or "basic".');
}

function parseHeaders(
  value: unknown,
  hasAuth: boolean,
): { headers: Record<string, string>; secrets: string[] } {
  if (value === undefined) return { headers: {}, secrets: [] };
  if (!isRecord(value)) throw invalid('headers', 'must be an object of header name to string value.');
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [name, headerValue] of Object.entries(value)) {
    const option = `headers.${name}`;
    if (!HEADER_NAME.test(name)) throw invalid(option, 'is not a valid HTTP header name.');
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) throw invalid(option, 'is set by the source itself; remove it.');
    if (lower === 'authorization' && hasAuth) {
      throw invalid(option, 'conflicts with the auth option; use one of them.');
    }
    if (typeof headerValue !== 'string' || !noLineBreaks(headerValue)) {
      throw invalid(option, 'must be a string without line breaks.');
    }
    if (lower in headers) throw invalid(option, 'is given twice (header names are case-insensitive).');
    headers[lower] = headerValue;
    // Every header value is a secret (docs/config.md): a tenant id such as X-Scope-OrgID is
    // as private as a token, and a proxy may echo it back in an error body.
    if (headerValue.length > 0) secrets.push(headerValue);
  }
  return { headers, secrets };
}

function isPem(value: unknown): boolean {
  const one = (v: unknown): boolean => typeof v === 'string' || v instanceof Uint8Array;
  return one(value) || (Array.isArray(value) && value.length > 0 && value.every(one));
}

function parseTls(value: unknown, https: boolean, hasDispatcher: boolean): PrometheusTlsOptions | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value))
    throw invalid(
      'tls',
      'must be an object ({ ca, cert, key, passphrase, rejectUnauthorized, servername }).',
    );
  rejectUnknown(value, KNOWN_TLS, 'tls.');
  if (hasDispatcher) {
    throw invalid(
      'tls',
      'applies only to the pool the source creates; with a dispatcher, set TLS in its connect options.',
    );
  }
  if (!https) throw invalid('tls', 'needs an https url.');
  for (const key of ['ca', 'cert', 'key'] as const) {
    if (value[key] !== undefined && !isPem(value[key]))
      throw invalid(`tls.${key}`, 'must be PEM text or a Buffer (or an array of them).');
  }
  if ((value.cert === undefined) !== (value.key === undefined)) {
    throw invalid(
      value.cert === undefined ? 'tls.cert' : 'tls.key',
      'client certificates need both tls.cert and tls.key.',
    );
  }
  if (value.passphrase !== undefined && typeof value.passphrase !== 'string')
    throw invalid('tls.passphrase', 'must be a string.');
  if (value.rejectUnauthorized !== undefined && typeof value.rejectUnauthorized !== 'boolean') {
    throw invalid('tls.rejectUnauthorized', 'must be a boolean.');
  }
  if (
    value.servername !== undefined &&
    (typeof value.servername !== 'string' || value.servername.length === 0)
  ) {
    throw invalid('tls.servername', 'must be a non-empty string.');
  }
  return value as PrometheusTlsOptions;
}

function parseMetrics(value: unknown): ResolvedMetricNames {
  if (value === undefined) return resolveMetricNames();
  if (!isRecord(value)) throw invalid('metrics', 'must be an object of metric names.');
  rejectUnknown(value, KNOWN_METRICS, 'metrics.');
  for (const key of ['requests', 'latencyHistogram', 'memory', 'cpu', 'ready', 'restarts'] as const) {
    const name = value[key];
    if (name !== undefined && (typeof name !== 'string' || !METRIC_NAME_PATTERN.test(name))) {
      throw invalid(`metrics.${key}`, 'must be a valid Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).');
    }
  }
  const histogram = value.latencyHistogram;
  if (typeof histogram === 'string' && /_(bucket|count|sum)$/.test(histogram)) {
    throw invalid(
      'metrics.latencyHistogram',
      `is the histogram's base name; drop the ${histogram.slice(histogram.lastIndexOf('_'))} suffix.`,
    );
  }
  const statusLabel = value.statusLabel;
  if (
    statusLabel !== undefined &&
    (typeof statusLabel !== 'string' || !LABEL_NAME_PATTERN.test(statusLabel))
  ) {
    throw invalid('metrics.statusLabel', 'must be a valid Prometheus label name.');
  }
  const pattern = value.errorStatusPattern;
  if (pattern !== undefined) {
    if (typeof pattern !== 'string' || pattern.length === 0)
      throw invalid('metrics.errorStatusPattern', 'must be a non-empty regular expression.');
    try {
      new RegExp(pattern);
    } catch (cause) {
      throw invalid('metrics.errorStatusPattern', 'is not a valid regular expression.', cause);
    }
  }
  const unit = value.latencyUnit;
  if (unit !== undefined && unit !== 'seconds' && unit !== 'milliseconds') {
    throw invalid('metrics.latencyUnit', 'must be "seconds" or "milliseconds".');
  }
  return resolveMetricNames(value);
}

function parseDispatcher(value: unknown): Dispatcher | undefined {
  if (value === undefined) return undefined;
  const candidate = (typeof value === 'object' && value !== null ? value : {}) as {
    request?: unknown;
    dispatch?: unknown;
  };
  if (typeof candidate.request !== 'function' || typeof candidate.dispatch !== 'function') {
    throw invalid('dispatcher', 'must be an undici Dispatcher (Agent, Pool, ProxyAgent, MockAgent).');
  }
  return value as Dispatcher;
}

function parseClock(value: unknown): Clock {
  if (value === undefined) return systemClock;
  if (!isRecord(value) || typeof value.now !== 'function')
    throw invalid('clock', 'must be a Clock with now().');
  return value as unknown as Clock;
}

/**
 * Validates the factory options once, at the edge. A problem throws
 * `RollgateError('CONFIG_INVALID')` naming the option and the fix; values (which may be
 * secrets) are never repeated in the message.
 */
export function validateOptions(options: PrometheusSourceOptions): ResolvedOptions {
  if (!isRecord(options)) throw invalid('(options)', 'must be an object with at least url.');
  rejectUnknown(options, KNOWN_OPTIONS, '');
  const { origin, basePath } = parseUrl(options.url);
  const dispatcher = parseDispatcher(options.dispatcher);
  const auth = parseAuth(options.auth);
  const extra = parseHeaders(options.headers, auth.header !== undefined);
  const tls = parseTls(options.tls, origin.startsWith('https:'), dispatcher !== undefined);
  if (options.connections !== undefined && dispatcher !== undefined) {
    throw invalid(
      'connections',
      'applies only to the pool the source creates; size your dispatcher yourself.',
    );
  }
  const headers: Record<string, string> = { ...extra.headers };
  if (auth.header !== undefined) headers.authorization = auth.header;
  return {
    origin,
    basePath,
    url: `${origin}${basePath}`,
    headers,
    secrets: [...auth.secrets, ...extra.secrets, ...(auth.header === undefined ? [] : [auth.header])],
    tls,
    timeoutMs: positiveInteger(options.timeoutMs, 'timeoutMs', 1, 2_147_483_647, 30_000),
    connections: positiveInteger(options.connections, 'connections', 1, 1024, 16),
    maxResponseBytes: positiveInteger(
      options.maxResponseBytes,
      'maxResponseBytes',
      1024,
      2 ** 31,
      32 * 1024 * 1024,
    ),
    dispatcher,
    metrics: parseMetrics(options.metrics),
    clock: parseClock(options.clock),
  };
}
