import type { MetricQuery, MetricRequest, MetricSource, PortContext } from '@rollgate/core';
import type { NewRelicSourceOptions } from '../../src/config/newrelic-source-options-schema';
import { createNewRelicSource } from '../../src/source/newrelic-source';
import { NerdGraphDouble, type NerdGraphDoubleOptions } from './nerdgraph-double';
import type { NrEvent } from './nrql-evaluator';

/** A user-key-shaped test key; tests assert it never leaks. */
export const API_KEY = 'NRAK-TESTKEY0123456789ABCDEFGHIJ';
export const ACCOUNT_ID = 1234567;

/** End of the seeded data (a whole minute, epoch ms). */
export const T_END = 1_700_000_400_000;
export const MINUTE = 60_000;

/** App names that would break naive quoting. */
export const QUOTED_APP = `O'Brien's "shop"`;
export const BACKSLASH_APP = `back\\slash \\' x`;

/**
 * Seeded events:
 * - `checkout` Transactions, 10 per minute for the 10 minutes before T_END, at seconds 0, 6,
 *   ..., 54; the k-th of each minute has duration (k+1)/10 s, k = 8 answers HTTP 503 and k = 9
 *   has `error: true`; even k are region `eu`, odd `us`. Per minute: 10 requests, 2 errors,
 *   p50 = 500 ms, p99 = 1000 ms, 3 requests slower than 750 ms.
 * - `QUOTED_APP` and `BACKSLASH_APP`: 4 and 3 Transactions in the last minute.
 * - SystemSample for host `web-1` every 15 s: memory 1 GB + 1 MB per sample, 50 % of 4 cores.
 * - SyntheticCheck `checkout-health` every 15 s, every 4th one FAILED (75 % success).
 */
export function seedEvents(): NrEvent[] {
  const events: NrEvent[] = [];
  for (let minute = 10; minute >= 1; minute -= 1) {
    const begin = T_END - minute * MINUTE;
    for (let k = 0; k < 10; k += 1) {
      events.push({
        eventType: 'Transaction',
        timestamp: begin + k * 6000,
        appName: 'checkout',
        duration: (k + 1) / 10,
        error: k === 9,
        'http.statusCode': k === 8 ? 503 : 200,
        region: k % 2 === 0 ? 'eu' : 'us',
      });
    }
    for (let s = 0; s < 4; s += 1) {
      const at = begin + s * 15_000;
      const index = (10 - minute) * 4 + s;
      events.push({
        eventType: 'SystemSample',
        timestamp: at,
        hostname: 'web-1',
        memoryUsedBytes: 1_000_000_000 + index * 1_000_000,
        cpuPercent: 50,
        coreCount: 4,
      });
      events.push({
        eventType: 'SyntheticCheck',
        timestamp: at,
        monitorName: 'checkout-health',
        result: s === 3 ? 'FAILED' : 'SUCCESS',
      });
    }
  }
  for (let i = 0; i < 4; i += 1) {
    events.push({
      eventType: 'Transaction',
      timestamp: T_END - MINUTE + i * 1000,
      appName: QUOTED_APP,
      duration: 0.2,
    });
  }
  for (let i = 0; i < 3; i += 1) {
    events.push({
      eventType: 'Transaction',
      timestamp: T_END - MINUTE + i * 1000,
      appName: BACKSLASH_APP,
      duration: 0.2,
    });
  }
  return events;
}

export function startDouble(overrides: Partial<NerdGraphDoubleOptions> = {}): Promise<NerdGraphDouble> {
  return NerdGraphDouble.start({
    apiKey: API_KEY,
    accountId: ACCOUNT_ID,
    events: seedEvents(),
    ...overrides,
  });
}

export function sourceFor(
  double: NerdGraphDouble,
  overrides: Partial<NewRelicSourceOptions> = {},
): MetricSource {
  return createNewRelicSource({
    accountId: ACCOUNT_ID,
    apiKey: API_KEY,
    region: 'us',
    endpoint: double.url,
    ...overrides,
  });
}

export function ctx(deadlineMs = 10_000): PortContext {
  return { signal: new AbortController().signal, deadline: Date.now() + deadlineMs };
}

/** Per-minute samples over the last `minutes` minutes ending at T_END. */
export function lastMinutes(
  query: MetricQuery,
  minutes: number,
  extra: Partial<MetricRequest> = {},
): MetricRequest {
  return { query, start: T_END - (minutes - 1) * MINUTE, end: T_END, stepMs: MINUTE, ...extra };
}

export const checkout = { appName: 'checkout' } as const;
