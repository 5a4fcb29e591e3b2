import type { MetricQuery, MetricRequest, MetricSource, ReadResult } from '@rollgate/core';
import { RollgateError } from '@rollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Adapters start processes and servers here: generous per-test limits, so a busy machine (CI at
// load 10 on 2 cores) slows the suite down without failing it. Outcomes are asserted, not times.
const TEST_TIMEOUT_MS = 30_000;

/** What an adapter's test provides so the shared suite can exercise it. */
export interface MetricSourceContractHarness {
  /** A source wired to a backend that answers normally. */
  source: MetricSource;
  /**
   * A query that yields data (`ok`) from that backend over `range()`. The suite reads it without
   * `segmentBy`, so the source must answer one aggregated series; give a query the backend holds
   * several series for (instances, status codes) so that rule is exercised.
   */
  query: MetricQuery;
  /** A query the backend answers with nothing (a selector that matches no series): `no-data`. */
  emptyQuery: MetricQuery;
  /** The time range (epoch ms) to read with the queries above. */
  range(): { start: number; end: number; stepMs: number };
  /** The same adapter wired to a backend that fails (5xx, refused connection, ...). */
  failing: MetricSource;
  /** The same adapter wired to a backend that accepts the request and never answers. */
  hanging: MetricSource;
  /** Now, by the clock the deadlines below are compared with (epoch ms). */
  now(): number;
  teardown(): Promise<void>;
  /**
   * For the `readMany` cases: a query the source refuses with `SOURCE_BAD_QUERY` (a label name
   * the backend cannot hold, an empty raw query).
   */
  badQuery?: MetricQuery;
  /**
   * For the `readMany` cases: more queries read in one call beside `query` and `emptyQuery`,
   * ideally ones the source answers together with `query` in one backend query (the same
   * measure with another value of one of its labels), some with data and some without.
   */
  batchQueries?: readonly MetricQuery[];
  /**
   * A range whose data no longer changes, so that `read` and `readMany` of the same request see
   * the same answer; `range()` when not given.
   */
  settledRange?(): { start: number; end: number; stepMs: number };
}

/** Options of {@link describeMetricSourceContract}. */
export interface MetricSourceContractOptions {
  /**
   * The source implements `readMany`: run its cases too (order, per-request errors, partial
   * answers, equality with `read`, failure, abort and deadline for every request). The harness
   * must then give `badQuery`.
   */
  readonly readMany?: boolean;
}

/** What must agree between `read` and `readMany` of the same request (not free-text reasons). */
function essence(result: ReadResult): unknown {
  switch (result.status) {
    case 'ok':
      return {
        status: 'ok',
        series: result.series.map((s) => ({ labels: s.labels, samples: s.samples.map((x) => [x.t, x.v]) })),
        partial: result.partial ?? [],
      };
    case 'no-data':
      return { status: 'no-data', partial: result.partial ?? [] };
    default:
      return { status: 'error', code: result.error.code, retryable: result.error.retryable };
  }
}

function controller(): AbortController {
  return new AbortController();
}

function expectUnion(result: ReadResult): void {
  expect(['ok', 'no-data', 'error']).toContain(result.status);
  if (result.status === 'ok') {
    expect(Array.isArray(result.series)).toBe(true);
    for (const series of result.series) {
      expect(typeof series.labels).toBe('object');
      let last = Number.NEGATIVE_INFINITY;
      for (const sample of series.samples) {
        expect(Number.isFinite(sample.t)).toBe(true);
        expect(Number.isNaN(sample.v)).toBe(false);
        expect(sample.t).toBeGreaterThanOrEqual(last);
        last = sample.t;
      }
    }
  } else if (result.status === 'no-data') {
    expect(typeof result.reason).toBe('string');
    expect(result.reason.length).toBeGreaterThan(0);
  } else {
    expect(RollgateError.is(result.error)).toBe(true);
    expect(typeof result.error.code).toBe('string');
    expect(typeof result.error.retryable).toBe('boolean');
  }
}

/**
 * The suite every `MetricSource` adapter runs: the result union, no throw on
 * backend failure, abort and deadline honoured, no mutation of the request, idempotent dispose;
 * with `options.readMany`, the same for `readMany` and one result per request, in order.
 * A new adapter's test file is a few lines of harness plus its own extras.
 */
export function describeMetricSourceContract(
  name: string,
  setup: () => Promise<MetricSourceContractHarness>,
  options: MetricSourceContractOptions = {},
): void {
  describe(`MetricSource contract: ${name}`, () => {
    let h: MetricSourceContractHarness;
    const request = (query: MetricQuery): MetricRequest => Object.freeze({ query, ...h.range() });

    beforeAll(async () => {
      h = await setup();
    }, TEST_TIMEOUT_MS);
    afterAll(async () => {
      await h?.teardown();
    }, TEST_TIMEOUT_MS);

    it(
      'resolves a working read to ok with ascending, NaN-free samples',
      async () => {
        const result = await h.source.read(request(h.query), {
          signal: controller().signal,
          deadline: h.now() + 10_000,
        });
        expectUnion(result);
        expect(result.status).toBe('ok');
        if (result.status === 'ok') {
          expect(result.series.length).toBeGreaterThan(0);
          expect(result.series.some((s) => s.samples.length > 0)).toBe(true);
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'answers a query without segmentBy with one aggregated series',
      async () => {
        const result = await h.source.read(request(h.query), {
          signal: controller().signal,
          deadline: h.now() + 10_000,
        });
        expect(result.status).toBe('ok');
        if (result.status === 'ok') expect(result.series.length).toBe(1);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'returns only samples inside the requested [start, end]',
      async () => {
        const req = request(h.query);
        const result = await h.source.read(req, { signal: controller().signal, deadline: h.now() + 10_000 });
        expect(result.status).toBe('ok');
        if (result.status !== 'ok') return;
        const outside = result.series.flatMap((s) =>
          s.samples.filter((x) => x.t < req.start || x.t > req.end),
        );
        expect(outside, `samples outside [${req.start}, ${req.end}]`).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'resolves an empty answer to no-data, never ok',
      async () => {
        const result = await h.source.read(request(h.emptyQuery), {
          signal: controller().signal,
          deadline: h.now() + 10_000,
        });
        expectUnion(result);
        expect(result.status).toBe('no-data');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'does not mutate the request',
      async () => {
        const req = request(h.query);
        const copy = JSON.stringify(req);
        await h.source.read(req, { signal: controller().signal, deadline: h.now() + 10_000 });
        expect(JSON.stringify(req)).toBe(copy);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'resolves a backend failure to an error result instead of throwing',
      async () => {
        const result = await h.failing.read(request(h.query), {
          signal: controller().signal,
          deadline: h.now() + 10_000,
        });
        expectUnion(result);
        expect(result.status).toBe('error');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'honours an already-aborted signal with ABORTED',
      async () => {
        const c = controller();
        c.abort(new Error('caller gave up'));
        const result = await h.source.read(request(h.query), {
          signal: c.signal,
          deadline: h.now() + 10_000,
        });
        expect(result.status).toBe('error');
        if (result.status === 'error') expect(result.error.code).toBe('ABORTED');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'honours an abort while the request is in flight with ABORTED',
      async () => {
        const c = controller();
        const pending = h.hanging.read(request(h.query), { signal: c.signal, deadline: h.now() + 60_000 });
        setTimeout(() => c.abort(new Error('caller gave up')), 50);
        const result = await pending;
        expect(result.status).toBe('error');
        if (result.status === 'error') expect(result.error.code).toBe('ABORTED');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'honours the deadline with TIMEOUT, marked retryable',
      async () => {
        const result = await h.hanging.read(request(h.query), {
          signal: controller().signal,
          deadline: h.now() + 200,
        });
        expect(result.status).toBe('error');
        if (result.status === 'error') {
          expect(result.error.code).toBe('TIMEOUT');
          expect(result.error.retryable).toBe(true);
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'describes a request as the non-empty backend query it sends',
      () => {
        const text = h.source.describe(request(h.query));
        expect(typeof text).toBe('string');
        expect(text.length).toBeGreaterThan(0);
      },
      TEST_TIMEOUT_MS,
    );

    if (options.readMany === true) describeReadMany(() => h, request);

    it(
      'disposes idempotently',
      async () => {
        await h.failing.dispose();
        await expect(h.failing.dispose()).resolves.toBeUndefined();
      },
      TEST_TIMEOUT_MS,
    );
  });
}

type Many = NonNullable<MetricSource['readMany']>;

function readManyOf(source: MetricSource): Many {
  expect(typeof source.readMany, `${source.name} has no readMany`).toBe('function');
  return (requests, ctx) => (source.readMany as Many).call(source, requests, ctx);
}

/** The `readMany` cases of the contract (see {@link MetricSourceContractOptions.readMany}). */
function describeReadMany(
  harness: () => MetricSourceContractHarness,
  request: (query: MetricQuery) => MetricRequest,
): void {
  const settled = (query: MetricQuery): MetricRequest => {
    const h = harness();
    return Object.freeze({ query, ...(h.settledRange ?? h.range)() });
  };
  const ctx = (deadlineInMs = 10_000) => ({
    signal: controller().signal,
    deadline: harness().now() + deadlineInMs,
  });
  const batch = (make: (query: MetricQuery) => MetricRequest): MetricRequest[] => {
    const h = harness();
    return [h.query, h.emptyQuery, ...(h.batchQueries ?? []), h.query].map(make);
  };

  it(
    'readMany: one result per request, in order, each what read gives for it',
    async () => {
      const h = harness();
      const requests = batch(settled);
      const results = await readManyOf(h.source)(requests, ctx());
      expect(results).toHaveLength(requests.length);
      for (const result of results) expectUnion(result);
      expect(results[0]?.status).toBe('ok');
      expect(results[1]?.status).toBe('no-data');
      expect(results.at(-1)?.status).toBe('ok');
      const singles: ReadResult[] = [];
      for (const r of requests) singles.push(await h.source.read(r, ctx()));
      expect(results.map(essence)).toEqual(singles.map(essence));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'readMany: a request the source refuses fails alone, the others keep their answers',
    async () => {
      const h = harness();
      expect(h.badQuery, 'the harness must give badQuery for the readMany cases').toBeDefined();
      const requests = [h.query, h.badQuery as MetricQuery, h.emptyQuery, h.query].map(settled);
      const results = await readManyOf(h.source)(requests, ctx());
      expect(results.map((r) => r.status)).toEqual(['ok', 'error', 'no-data', 'ok']);
      const bad = results[1];
      if (bad?.status === 'error') expect(bad.error.code).toBe('SOURCE_BAD_QUERY');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'readMany: resolves an empty list to an empty list',
    async () => {
      expect(await readManyOf(harness().source)([], ctx())).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'readMany: a failing backend gives every request an error result instead of throwing',
    async () => {
      const requests = batch(request);
      const results = await readManyOf(harness().failing)(requests, ctx());
      expect(results).toHaveLength(requests.length);
      for (const result of results) {
        expectUnion(result);
        expect(result.status).toBe('error');
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'readMany: honours an aborted signal with ABORTED for every request',
    async () => {
      const c = controller();
      c.abort(new Error('caller gave up'));
      const requests = batch(request);
      const results = await readManyOf(harness().source)(requests, {
        signal: c.signal,
        deadline: harness().now() + 10_000,
      });
      expect(results).toHaveLength(requests.length);
      for (const result of results) {
        expect(result.status).toBe('error');
        if (result.status === 'error') expect(result.error.code).toBe('ABORTED');
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'readMany: honours the deadline with a retryable TIMEOUT for every request',
    async () => {
      const requests = batch(request);
      const results = await readManyOf(harness().hanging)(requests, ctx(200));
      expect(results).toHaveLength(requests.length);
      for (const result of results) {
        expect(result.status).toBe('error');
        if (result.status === 'error') {
          expect(result.error.code).toBe('TIMEOUT');
          expect(result.error.retryable).toBe(true);
        }
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'readMany: does not mutate the requests or their list',
    async () => {
      const requests = batch(request);
      const copy = JSON.stringify(requests);
      await readManyOf(harness().source)(Object.freeze([...requests]), ctx());
      expect(JSON.stringify(requests)).toBe(copy);
    },
    TEST_TIMEOUT_MS,
  );
}
