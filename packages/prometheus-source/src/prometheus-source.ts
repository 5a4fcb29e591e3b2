import type { MetricRequest, MetricSource, PortContext, ReadResult } from '@rollgate/core';
import { RollgateError } from '@rollgate/core';
import { portSignal, systemClock } from '@rollgate/core/node';
import { type Dispatcher, Pool } from 'undici';
import type {
  PrometheusSourceOptions,
  PrometheusTlsOptions,
} from './options/prometheus-source-options-schema';
import { type ResolvedOptions, validateOptions } from './options/validate-options';
import { apiTime, promqlDuration } from './promql/duration';
import { QueryBuildError } from './promql/label-matchers';
import { buildPromql } from './promql/query-builders';
import { readManyGrouped } from './read-many';
import { COMPONENT, classify } from './reply/classify';
import type { PrometheusReply } from './reply/envelope';
import { headerValue } from './reply/header-value';
import { redact } from './reply/redact';
import { toReadResult } from './reply/to-read-result';
import { transportError } from './transport/transport-error';

/** A `MetricSource` over the Prometheus HTTP API, from {@link createPrometheusSource}. */
export interface PrometheusSource extends MetricSource {
  readonly name: 'prometheus';
  /** The base URL queries go to (credential-free). */
  readonly url: string;
  /**
   * Requests that differ only in one selector label's value (`service="a"`, `service="b"`, same
   * measure, range and step) go as one `sum by (label)` query per group; the rest one by one.
   */
  readMany(requests: readonly MetricRequest[], ctx: PortContext): Promise<readonly ReadResult[]>;
}

/** How long `dispose()` lets in-flight reads finish before it destroys the pool. */
const DISPOSE_GRACE_MS = 1_000;

function errorResult(error: RollgateError): ReadResult {
  return { status: 'error', error };
}

function connectOptions(tls: PrometheusTlsOptions): NonNullable<Pool.Options['connect']> {
  const pem = (value: PrometheusTlsOptions['ca']) =>
    value === undefined ? undefined : Array.isArray(value) ? [...value] : (value as string | Uint8Array);
  const out: Record<string, unknown> = {};
  if (tls.ca !== undefined) out.ca = pem(tls.ca);
  if (tls.cert !== undefined) out.cert = pem(tls.cert);
  if (tls.key !== undefined) out.key = pem(tls.key);
  if (tls.passphrase !== undefined) out.passphrase = tls.passphrase;
  if (tls.rejectUnauthorized !== undefined) out.rejectUnauthorized = tls.rejectUnauthorized;
  if (tls.servername !== undefined) out.servername = tls.servername;
  return out as NonNullable<Pool.Options['connect']>;
}

class BodyTooLarge extends Error {
  constructor(readonly status: number) {
    super('reply body too large');
  }
}

async function readBody(response: Dispatcher.ResponseData, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(headerValue(response.headers, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw new BodyTooLarge(response.statusCode);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      response.body.destroy();
      throw new BodyTooLarge(response.statusCode);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function queryParameters(
  request: MetricRequest,
  promql: string,
  budgetMs: number,
): { path: string; form: string } {
  const params = new URLSearchParams();
  params.set('query', promql);
  let path: string;
  if (request.start === request.end) {
    path = '/api/v1/query';
    params.set('time', apiTime(request.end));
  } else {
    path = '/api/v1/query_range';
    params.set('start', apiTime(request.start));
    params.set('end', apiTime(request.end));
    params.set('step', apiTime(request.stepMs));
  }
  // Prometheus then gives up when the caller does, instead of finishing work nobody reads.
  params.set('timeout', promqlDuration(budgetMs));
  return { path, form: params.toString() };
}

/**
 * Creates a {@link MetricSource} that reads signals from the Prometheus HTTP API (v1) with
 * PromQL. Options are validated here (a problem throws `RollgateError('CONFIG_INVALID')` naming
 * the option); after that, `read` never throws or rejects: every outcome is a `ReadResult`.
 *
 * Without `dispatcher` it creates one keep-alive undici `Pool` for the url's origin (TLS options
 * apply to it) and closes it in `dispose()`; an injected dispatcher is used as is and never
 * closed. `read` sends one POST to `/api/v1/query` (when `start === end`) or
 * `/api/v1/query_range`, bounded by the earlier of `ctx.deadline` and `timeoutMs`; it does not
 * retry or sleep. `readMany` sends one such query per group of requests that differ only in one
 * selector label's value (docs/adapters/prometheus.md, "Batched reads").
 */
export function createPrometheusSource(options: PrometheusSourceOptions): PrometheusSource {
  const config: ResolvedOptions = validateOptions(options);
  const ownsDispatcher = config.dispatcher === undefined;
  const dispatcher: Dispatcher =
    config.dispatcher ??
    new Pool(config.origin, {
      connections: config.connections,
      pipelining: 1,
      // Reads come every evaluation tick (seconds apart): keep sockets for longer than undici's
      // 4 s default so a tick reuses them, but below the usual 60 s proxy idle timeout.
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 30_000,
      ...(config.tls === undefined ? {} : { connect: connectOptions(config.tls) }),
    });
  const headers: Record<string, string> = {
    'user-agent': 'rollgate-prometheus-source',
    ...config.headers,
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
  };
  let disposed = false;
  let disposing: Promise<void> | undefined;

  const aborted = (reason: unknown): ReadResult =>
    errorResult(
      new RollgateError('ABORTED', 'The read was aborted by the caller.', {
        component: COMPONENT,
        retryable: false,
        cause: reason,
      }),
    );

  const timedOut = (budgetMs: number, byDeadline: boolean): ReadResult =>
    errorResult(
      new RollgateError(
        'TIMEOUT',
        byDeadline
          ? `Prometheus at ${config.url} did not answer before the caller's deadline (${Math.round(budgetMs)} ms).`
          : `Prometheus at ${config.url} did not answer within timeoutMs (${config.timeoutMs} ms).`,
        { component: COMPONENT, retryable: true, details: { timeoutMs: Math.round(budgetMs) } },
      ),
    );

  /** The outcome before any query: the caller gave up, or the source is gone. */
  function refused(ctx: PortContext): ReadResult | undefined {
    if (ctx.signal.aborted) return aborted(ctx.signal.reason);
    if (disposed) {
      return errorResult(
        new RollgateError(
          'SOURCE_UNAVAILABLE',
          'This Prometheus source was disposed; create a new one to read.',
          {
            component: COMPONENT,
            retryable: false,
          },
        ),
      );
    }
    return undefined;
  }

  async function readOnce(request: MetricRequest, ctx: PortContext): Promise<ReadResult> {
    const early = refused(ctx);
    if (early !== undefined) return early;
    let promql: string;
    try {
      promql = buildPromql(request, config.metrics);
    } catch (error) {
      if (!(error instanceof QueryBuildError)) throw error;
      return errorResult(
        new RollgateError('SOURCE_BAD_QUERY', `Cannot build PromQL for this request: ${error.message}`, {
          component: COMPONENT,
          retryable: false,
          details: { field: error.field },
        }),
      );
    }
    const reply = await runQuery(request, promql, ctx);
    return reply.ok ? toReadResult(reply.value, request) : reply.error;
  }

  /** Sends one PromQL query over the range of `request`; every failure is the ReadResult to give. */
  async function runQuery(
    request: MetricRequest,
    promql: string,
    ctx: PortContext,
  ): Promise<{ ok: true; value: PrometheusReply } | { ok: false; error: ReadResult }> {
    const early = refused(ctx);
    if (early !== undefined) return { ok: false, error: early };
    const failed = (result: ReadResult) => ({ ok: false as const, error: result });
    const remaining = ctx.deadline - config.clock.now();
    const byDeadline = remaining <= config.timeoutMs;
    const budget = Math.min(remaining, config.timeoutMs);
    if (!(budget > 0)) return failed(timedOut(0, true));

    const { path, form } = queryParameters(request, promql, budget);
    // Real timers: the request timeout holds in real time even under a simulated clock.
    const link = portSignal(ctx, config.clock, { limitMs: config.timeoutMs, timers: systemClock });
    let response: Dispatcher.ResponseData;
    let body: Uint8Array;
    try {
      response = await dispatcher.request({
        origin: config.origin,
        path: `${config.basePath}${path}`,
        method: 'POST',
        headers,
        body: form,
        signal: link.signal,
      });
      body = await readBody(response, config.maxResponseBytes);
    } catch (error) {
      const stoppedBy = link.reason();
      if (stoppedBy === 'aborted') return failed(aborted(ctx.signal.reason));
      if (stoppedBy !== undefined) return failed(timedOut(budget, byDeadline));
      if (error instanceof BodyTooLarge) {
        return failed(
          errorResult(
            new RollgateError(
              'SOURCE_BAD_RESPONSE',
              `Prometheus at ${config.url} sent more than maxResponseBytes (${config.maxResponseBytes}); raise stepMs, shorten the range, aggregate the query or raise maxResponseBytes.`,
              { component: COMPONENT, retryable: false, details: { status: error.status } },
            ),
          ),
        );
      }
      return failed(errorResult(transportError(error, config.url, config.secrets)));
    } finally {
      link.dispose();
    }
    const classified = classify(response.statusCode, body, response.headers, {
      now: config.clock.now(),
      secrets: config.secrets,
      url: config.url,
    });
    if (!classified.ok) return failed(errorResult(classified.error));
    return { ok: true, value: classified.value };
  }

  async function read(request: MetricRequest, ctx: PortContext): Promise<ReadResult> {
    try {
      return await readOnce(request, ctx);
    } catch (error) {
      // A bug, not a backend failure: still a value, never a rejection.
      const message = redact(error instanceof Error ? error.message : String(error), config.secrets);
      return errorResult(
        new RollgateError('INTERNAL', `prometheus-source failed unexpectedly: ${message}`, {
          component: COMPONENT,
          retryable: false,
        }),
      );
    }
  }

  return {
    name: 'prometheus',
    url: config.url,
    read,
    async readMany(requests, ctx) {
      try {
        return await readManyGrouped(requests, ctx, { names: config.metrics, read, query: runQuery });
      } catch (error) {
        // A bug, not a backend failure: still one value per request, never a rejection.
        const message = redact(error instanceof Error ? error.message : String(error), config.secrets);
        const failed = errorResult(
          new RollgateError('INTERNAL', `prometheus-source failed unexpectedly: ${message}`, {
            component: COMPONENT,
            retryable: false,
          }),
        );
        return requests.map(() => failed);
      }
    },
    describe(request) {
      try {
        return buildPromql(request, config.metrics);
      } catch (error) {
        return `# cannot build PromQL: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    dispose() {
      disposed = true;
      if (!ownsDispatcher) return Promise.resolve();
      disposing ??= (async () => {
        let grace: ReturnType<typeof setTimeout> | undefined;
        const closed = dispatcher.close().then(() => true);
        const timedOutClose = new Promise<false>((resolve) => {
          grace = setTimeout(() => resolve(false), DISPOSE_GRACE_MS);
        });
        const clean = await Promise.race([closed, timedOutClose]);
        clearTimeout(grace);
        if (!clean) await dispatcher.destroy().catch(() => undefined);
        await closed.catch(() => undefined);
      })();
      return disposing;
    },
  };
}
