import { RollgateError } from '@rollgate/core';
import { SimulatedClock } from '@rollgate/core/testing';
import { describe, expect, it } from 'vitest';
import type { NewRelicSourceOptions } from '../../src/config/newrelic-source-options-schema';
import { resolveOptions } from '../../src/config/resolve-options';

const valid = { accountId: 1234567, apiKey: 'NRAK-ABC', region: 'us' } as const;

function configError(override: Record<string, unknown>): RollgateError {
  try {
    resolveOptions({ ...valid, ...override } as unknown as NewRelicSourceOptions);
  } catch (error) {
    expect(RollgateError.is(error)).toBe(true);
    expect((error as RollgateError).code).toBe('CONFIG_INVALID');
    expect((error as RollgateError).component).toBe('newrelic-source');
    return error as RollgateError;
  }
  throw new Error(`expected CONFIG_INVALID for ${JSON.stringify(override)}`);
}

describe('resolveOptions', () => {
  it('fills the defaults', () => {
    const options = resolveOptions(valid);
    expect(options.endpoint.href).toBe('https://api.newrelic.com/graphql');
    expect(options.timeoutSeconds).toBe(30);
    expect(options.maxConcurrent).toBe(25);
    expect(options.name).toBe('newrelic');
    expect(options.nrql.transactionEventType).toBe('Transaction');
    expect(options.nrql.resourceEventType).toBe('SystemSample');
    expect(options.nrql.health).toEqual({
      source: 'event',
      eventType: 'SyntheticCheck',
      readyWhere: "`result` = 'SUCCESS'",
    });
  });

  it('picks the EU endpoint, or an explicit one', () => {
    expect(resolveOptions({ ...valid, region: 'eu' }).endpoint.href).toBe(
      'https://api.eu.newrelic.com/graphql',
    );
    expect(resolveOptions({ ...valid, endpoint: 'http://127.0.0.1:9/graphql' }).endpoint.href).toBe(
      'http://127.0.0.1:9/graphql',
    );
  });

  it('accepts a clock, a timeout at both ends of 5..120 and a lower concurrency', () => {
    const clock = new SimulatedClock(0);
    expect(resolveOptions({ ...valid, clock }).clock).toBe(clock);
    expect(resolveOptions({ ...valid, timeoutSeconds: 5 }).timeoutSeconds).toBe(5);
    expect(resolveOptions({ ...valid, timeoutSeconds: 120 }).timeoutSeconds).toBe(120);
    expect(resolveOptions({ ...valid, maxConcurrent: 1 }).maxConcurrent).toBe(1);
  });

  it.each([
    ['accountId', { accountId: 0 }, 'positive integer'],
    ['accountId', { accountId: 1.5 }, 'positive integer'],
    ['accountId', { accountId: '1234' }, 'positive integer'],
    ['accountId', { accountId: undefined }, 'positive integer'],
    ['apiKey', { apiKey: '' }, 'NRAK-'],
    ['apiKey', { apiKey: undefined }, 'NRAK-'],
    ['apiKey', { apiKey: 'NRAK-with space' }, 'HTTP header'],
    ['region', { region: undefined }, "'us'"],
    ['region', { region: 'apac' }, "'us', 'eu'"],
    ['timeoutSeconds', { timeoutSeconds: 4 }, '5 to 120'],
    ['timeoutSeconds', { timeoutSeconds: 121 }, '5 to 120'],
    ['timeoutSeconds', { timeoutSeconds: 10.5 }, '5 to 120'],
    ['maxConcurrent', { maxConcurrent: 0 }, '1 to 25'],
    ['maxConcurrent', { maxConcurrent: 26 }, '1 to 25'],
    ['endpoint', { endpoint: 'ftp://example.com' }, 'http or https'],
    ['endpoint', { endpoint: 'nope' }, 'valid URL'],
    ['endpoint', { endpoint: 'https://u:p@example.com/graphql' }, 'credentials'],
    ['dispatcher', { dispatcher: {} }, 'Dispatcher'],
    ['clock', { clock: { now: 1 } }, 'Clock'],
    ['name', { name: '' }, 'non-empty'],
    ['transactions.eventType', { transactions: { eventType: 'Bad`Type' } }, 'backtick'],
    ['transactions.errorWhere', { transactions: { errorWhere: ' ' } }, 'NRQL fragment'],
    ['resources.eventType', { resources: { eventType: 'K8sSample' } }, "'SystemSample'"],
    ['resources.aggregation', { resources: { aggregation: 'sum' } }, "'average'"],
    ['resources.cpuExpression', { resources: { cpuExpression: 'a\u0000b' } }, 'control'],
    ['health.source', { health: { source: 'probe' } }, "'event' or 'metric'"],
    ['health.readyWhere', { health: { source: 'event', eventType: 'Probe' } }, 'NRQL fragment'],
    ['health.metricName', { health: { source: 'metric' } }, 'event type or attribute name'],
  ])('names %s and the fix', (option, override, fix) => {
    const error = configError(override);
    expect(error.message).toContain(`\`${option}\``);
    expect(error.message).toContain(fix);
    expect(error.details).toEqual({ option });
  });

  it('refuses options that are not an object', () => {
    expect(() => resolveOptions(null as unknown as NewRelicSourceOptions)).toThrowError(
      /options must be an object/,
    );
  });
});
