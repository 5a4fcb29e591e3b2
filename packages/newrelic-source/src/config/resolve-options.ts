import type { Clock } from '@rollgate/core';
import { parseOptions, RollgateError } from '@rollgate/core';
import { systemClock } from '@rollgate/core/node';
import type { Dispatcher } from 'undici';
import {
  MAX_CONCURRENT_REQUESTS,
  NERDGRAPH_ENDPOINTS,
  type NewRelicSourceOptions,
  NewRelicSourceOptionsSchema,
} from './newrelic-source-options-schema';

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
  return new RollgateError('CONFIG_INVALID', `newrelic-source: option \`${option}\` ${message}.`, {
    component: COMPONENT,
    details: { option },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates {@link NewRelicSourceOptions} once, at the factory, with
 * {@link NewRelicSourceOptionsSchema} (the schema a configuration file is checked with) and the
 * runtime-only options by hand. A bad option throws `CONFIG_INVALID` naming the option and the
 * fix; the API key's value is never quoted.
 */
export function resolveOptions(input: NewRelicSourceOptions): ResolvedOptions {
  if (!isRecord(input)) {
    throw new RollgateError('CONFIG_INVALID', 'newrelic-source: options must be an object.', {
      component: COMPONENT,
    });
  }
  const {
    dispatcher,
    clock = systemClock,
    name = DEFAULTS.name,
    ...described
  } = input as unknown as Record<string, unknown>;
  // A configuration file defaults the region to us; a program says which data centre it means.
  if (described.region === undefined) {
    throw invalid('region', "is required: 'us' (api.newrelic.com) or 'eu' (api.eu.newrelic.com)");
  }
  const options = parseOptions(NewRelicSourceOptionsSchema, described, invalid);
  if (typeof name !== 'string' || name.length === 0) throw invalid('name', 'must be a non-empty string');
  if (dispatcher !== undefined && (!isRecord(dispatcher) || typeof dispatcher.dispatch !== 'function')) {
    throw invalid('dispatcher', 'must be an undici Dispatcher (an Agent, Pool, Client or MockAgent)');
  }
  if (!isRecord(clock) || typeof clock.now !== 'function' || typeof clock.setTimeout !== 'function') {
    throw invalid('clock', 'must be a Clock with now(), setTimeout() and clearTimeout()');
  }
  const resourceEventType = options.resources?.eventType ?? DEFAULTS.resourceEventType;
  const expressions = RESOURCE_EXPRESSIONS[resourceEventType];
  const health: NrqlSettings['health'] =
    options.health === undefined
      ? DEFAULT_HEALTH
      : options.health.source === 'event'
        ? {
            source: 'event',
            eventType: options.health.eventType,
            readyWhere: options.health.readyWhere.trim(),
          }
        : { source: 'metric', metricName: options.health.metricName };
  return Object.freeze({
    name,
    accountId: options.accountId,
    apiKey: options.apiKey,
    endpoint: new URL(options.endpoint ?? NERDGRAPH_ENDPOINTS[options.region]),
    timeoutSeconds: options.timeoutSeconds ?? DEFAULTS.timeoutSeconds,
    dispatcher: dispatcher as Dispatcher | undefined,
    clock: clock as unknown as Clock,
    maxConcurrent: options.maxConcurrent ?? MAX_CONCURRENT_REQUESTS,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
    nrql: {
      transactionEventType: options.transactions?.eventType ?? DEFAULTS.transactionEventType,
      errorWhere: (options.transactions?.errorWhere ?? DEFAULTS.errorWhere).trim(),
      resourceEventType,
      resourceAggregation: options.resources?.aggregation ?? DEFAULTS.resourceAggregation,
      memoryExpression: (options.resources?.memoryExpression ?? expressions.memory).trim(),
      cpuExpression: (options.resources?.cpuExpression ?? expressions.cpu).trim(),
      health,
    },
  });
}
