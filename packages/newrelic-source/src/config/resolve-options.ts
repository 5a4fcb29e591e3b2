import type { Clock } from '@rollgate/core';
import { RollgateError } from '@rollgate/core';
import { systemClock } from '@rollgate/core/node';
import type { Dispatcher } from 'undici';
import { identifierProblem } from '../nrql/nrql-literals';
import {
  MAX_CONCURRENT_REQUESTS,
  NERDGRAPH_ENDPOINTS,
  type NewRelicRegion,
  type NewRelicSourceOptions,
} from './newrelic-source-options';

const COMPONENT = 'newrelic-source';

/** The NRQL each measure is built from, with every default filled in. */
export interface NrqlSettings {
  readonly transactionEventType: string;
  readonly errorWhere: string;
  readonly resourceEventType: 'SystemSample' | 'ProcessSample';
  readonly resourceAggregation: 'average' | 'max' | 'latest';
  readonly memoryExpression: string;
  readonly cpuExpression: string;
  readonly health:
    | { readonly source: 'event'; readonly eventType: string; readonly readyWhere: string }
    | { readonly source: 'metric'; readonly metricName: string };
}

/** Validated options. Holds the API key, so it is never logged or serialised. */
export interface ResolvedOptions {
  readonly name: string;
  readonly accountId: number;
  readonly apiKey: string;
  readonly endpoint: URL;
  readonly timeoutSeconds: number;
  readonly dispatcher: Dispatcher | undefined;
  readonly clock: Clock;
  readonly maxConcurrent: number;
  readonly maxResponseBytes: number;
  readonly nrql: NrqlSettings;
}

/** NerdGraph's `$timeout` range in seconds. */
export const NRQL_TIMEOUT_RANGE = { min: 5, max: 120 } as const;

const DEFAULTS = {
  name: 'newrelic',
  timeoutSeconds: 30,
  maxResponseBytes: 16 * 1024 * 1024,
  transactionEventType: 'Transaction',
  errorWhere: '(`error` IS TRUE OR `http.statusCode` >= 500)',
  resourceEventType: 'SystemSample',
  resourceAggregation: 'average',
} as const;

/** Default resource expressions per event type: memory in bytes, CPU in cores. */
const RESOURCE_EXPRESSIONS = {
  // SystemSample.cpuPercent is the whole host (all cores) in 0..100, hence × coreCount.
  SystemSample: { memory: '`memoryUsedBytes`', cpu: '`cpuPercent` * `coreCount` / 100' },
  // ProcessSample.cpuPercent is read as top-style percent of one core; override cpuExpression
  // if your agent reports it normalised by core count.
  ProcessSample: { memory: '`memoryResidentSizeBytes`', cpu: '`cpuPercent` / 100' },
} as const;

const DEFAULT_HEALTH = {
  source: 'event',
  eventType: 'SyntheticCheck',
  readyWhere: "`result` = 'SUCCESS'",
} as const;

function invalid(option: string, message: string): RollgateError {
  return new RollgateError('CONFIG_INVALID', `newrelic-source: option \`${option}\` ${message}`, {
    component: COMPONENT,
    details: { option },
  });
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  return `a ${Array.isArray(value) ? 'array' : typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: NRQL fragments must stay on their line
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function nrqlFragment(option: string, value: unknown, fallback: string | undefined): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value.trim().length === 0 || CONTROL_EXCEPT_WHITESPACE.test(value)) {
    throw invalid(
      option,
      `must be a non-empty NRQL fragment without control characters; got ${describeValue(value)}.`,
    );
  }
  return value.trim();
}

function identifier(option: string, value: unknown, fallback: string | undefined): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string') {
    throw invalid(
      option,
      `must be a New Relic event type or attribute name (a string); got ${describeValue(value)}.`,
    );
  }
  const problem = identifierProblem(value);
  if (problem !== undefined)
    throw invalid(option, `${problem}; use the name exactly as New Relic reports it.`);
  return value;
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalid(
    option,
    `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${describeValue(value)}.`,
  );
}

function integerIn(option: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(option, `must be an integer from ${min} to ${max}; got ${describeValue(value)}.`);
  }
  return value;
}

// Header values must be visible ASCII: anything else would be rejected by undici (whose error
// could quote the header) or would split the header.
const API_KEY_SHAPE = /^[\x21-\x7e]+$/;

function resolveEndpoint(options: Record<string, unknown>, region: NewRelicRegion): URL {
  if (options.endpoint === undefined) return new URL(NERDGRAPH_ENDPOINTS[region]);
  if (typeof options.endpoint !== 'string') {
    throw invalid('endpoint', `must be an http(s) URL string; got ${describeValue(options.endpoint)}.`);
  }
  let url: URL;
  try {
    url = new URL(options.endpoint);
  } catch (cause) {
    throw new RollgateError(
      'CONFIG_INVALID',
      'newrelic-source: option `endpoint` is not a valid URL; give a full URL such as https://api.newrelic.com/graphql.',
      { component: COMPONENT, details: { option: 'endpoint' }, cause },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid('endpoint', `must use http or https; got ${JSON.stringify(url.protocol)}.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid(
      'endpoint',
      'must not carry credentials: remove them from the URL and pass the key as `apiKey`.',
    );
  }
  return url;
}

function resolveHealth(value: unknown): NrqlSettings['health'] {
  if (value === undefined) return DEFAULT_HEALTH;
  if (!isRecord(value)) throw invalid('health', `must be an object; got ${describeValue(value)}.`);
  if (value.source === 'event') {
    return {
      source: 'event',
      eventType: identifier('health.eventType', value.eventType, undefined),
      readyWhere: nrqlFragment('health.readyWhere', value.readyWhere, undefined),
    };
  }
  if (value.source === 'metric') {
    return { source: 'metric', metricName: identifier('health.metricName', value.metricName, undefined) };
  }
  throw invalid('health.source', `must be 'event' or 'metric'; got ${describeValue(value.source)}.`);
}

function resolveNrqlSettings(options: Record<string, unknown>): NrqlSettings {
  const transactions = options.transactions ?? {};
  const resources = options.resources ?? {};
  if (!isRecord(transactions)) throw invalid('transactions', 'must be an object.');
  if (!isRecord(resources)) throw invalid('resources', 'must be an object.');
  const resourceEventType = oneOf(
    'resources.eventType',
    resources.eventType,
    ['SystemSample', 'ProcessSample'] as const,
    DEFAULTS.resourceEventType,
  );
  const defaults = RESOURCE_EXPRESSIONS[resourceEventType];
  return {
    transactionEventType: identifier(
      'transactions.eventType',
      transactions.eventType,
      DEFAULTS.transactionEventType,
    ),
    errorWhere: nrqlFragment('transactions.errorWhere', transactions.errorWhere, DEFAULTS.errorWhere),
    resourceEventType,
    resourceAggregation: oneOf(
      'resources.aggregation',
      resources.aggregation,
      ['average', 'max', 'latest'] as const,
      DEFAULTS.resourceAggregation,
    ),
    memoryExpression: nrqlFragment('resources.memoryExpression', resources.memoryExpression, defaults.memory),
    cpuExpression: nrqlFragment('resources.cpuExpression', resources.cpuExpression, defaults.cpu),
    health: resolveHealth(options.health),
  };
}

/**
 * Validates {@link NewRelicSourceOptions} once, at the factory. A bad option throws
 * `CONFIG_INVALID` naming the option and the fix; the API key's value is never quoted.
 */
export function resolveOptions(input: NewRelicSourceOptions): ResolvedOptions {
  if (!isRecord(input)) {
    throw new RollgateError('CONFIG_INVALID', 'newrelic-source: options must be an object.', {
      component: COMPONENT,
    });
  }
  const options: Record<string, unknown> = input as unknown as Record<string, unknown>;
  const { accountId, apiKey } = options;
  if (typeof accountId !== 'number' || !Number.isSafeInteger(accountId) || accountId <= 0) {
    throw invalid(
      'accountId',
      `must be a positive integer (the account id shown in New Relic, e.g. 1234567); got ${describeValue(accountId)}.`,
    );
  }
  if (typeof apiKey !== 'string' || apiKey.length === 0) {
    throw invalid('apiKey', 'is required: pass a New Relic user key (it starts with NRAK-).');
  }
  if (!API_KEY_SHAPE.test(apiKey)) {
    throw invalid(
      'apiKey',
      'contains whitespace or characters that cannot go in an HTTP header; copy the user key again without surrounding spaces or line breaks.',
    );
  }
  if (options.region === undefined) {
    throw invalid('region', "is required: 'us' (api.newrelic.com) or 'eu' (api.eu.newrelic.com).");
  }
  const region = oneOf('region', options.region, ['us', 'eu'] as const, 'us');
  const name = options.name === undefined ? DEFAULTS.name : options.name;
  if (typeof name !== 'string' || name.length === 0) {
    throw invalid('name', `must be a non-empty string; got ${describeValue(name)}.`);
  }
  const dispatcher = options.dispatcher;
  if (dispatcher !== undefined && (!isRecord(dispatcher) || typeof dispatcher.dispatch !== 'function')) {
    throw invalid('dispatcher', 'must be an undici Dispatcher (an Agent, Pool, Client or MockAgent).');
  }
  const clock = options.clock ?? systemClock;
  if (!isRecord(clock) || typeof clock.now !== 'function' || typeof clock.setTimeout !== 'function') {
    throw invalid('clock', 'must be a Clock with now(), setTimeout() and clearTimeout().');
  }
  return Object.freeze({
    name,
    accountId,
    apiKey,
    endpoint: resolveEndpoint(options, region),
    timeoutSeconds: integerIn(
      'timeoutSeconds',
      options.timeoutSeconds,
      NRQL_TIMEOUT_RANGE.min,
      NRQL_TIMEOUT_RANGE.max,
      DEFAULTS.timeoutSeconds,
    ),
    dispatcher: dispatcher as Dispatcher | undefined,
    clock: clock as unknown as Clock,
    maxConcurrent: integerIn(
      'maxConcurrent',
      options.maxConcurrent,
      1,
      MAX_CONCURRENT_REQUESTS,
      MAX_CONCURRENT_REQUESTS,
    ),
    maxResponseBytes: integerIn(
      'maxResponseBytes',
      options.maxResponseBytes,
      1024,
      Number.MAX_SAFE_INTEGER,
      DEFAULTS.maxResponseBytes,
    ),
    nrql: resolveNrqlSettings(options),
  });
}
