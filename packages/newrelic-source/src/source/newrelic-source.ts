import type { MetricRequest, MetricSource, PortContext, ReadResult } from '@rollgate/core';
import { RollgateError } from '@rollgate/core';
import { type PortSignal, portSignal } from '@rollgate/core/node';
import { Agent, type Dispatcher } from 'undici';
import type { NewRelicSourceOptions } from '../config/newrelic-source-options-schema';
import { NRQL_TIMEOUT_RANGE } from '../config/newrelic-source-options-schema';
import { type ResolvedOptions, resolveOptions } from '../config/resolve-options';
import { classify } from '../nerdgraph/classify';
import { nerdGraphRequestBody } from '../nerdgraph/graphql-document';
import { normaliseResults } from '../nerdgraph/normalise-results';
import { redactSecret } from '../nerdgraph/redact';
import { buildNrql, type NrqlPlan } from '../nrql/query-builders';
import { abortedError, timeoutError } from '../transport/call-errors';
import { ConcurrencyLimiter, type Release } from '../transport/concurrency-limiter';
import { postNerdGraph } from '../transport/nerdgraph-post';
import { transportError } from '../transport/transport-error';

const COMPONENT = 'newrelic-source';

function errorResult(error: RollgateError): ReadResult {
  return { status: 'error', error };
}

/** The `$timeout` for one read: the configured bound, or less when the deadline is nearer. */
function nrqlTimeoutSeconds(options: ResolvedOptions, remainingMs: number): number {
  const left = Math.floor(remainingMs / 1000);
  return Math.max(NRQL_TIMEOUT_RANGE.min, Math.min(options.timeoutSeconds, left));
}

/**
 * Creates a `MetricSource` that reads New Relic through NerdGraph's NRQL query.
 *
 * - Each read builds one NRQL query (see `buildNrql`; `describe()` returns it) and sends it as
 *   the `$nrql` variable of a constant GraphQL document.
 * - At most `maxConcurrent` (≤ 25) requests are in flight; further reads queue and still honour
 *   their abort signal and deadline while queued.
 * - Reads resolve to `ok` / `no-data` / `error` and never throw; the API key never appears in
 *   errors, details, `describe()` output or anything serialised.
 * - Without `dispatcher`, the source owns a keep-alive undici Agent and closes it on `dispose()`.
 *
 * Throws `CONFIG_INVALID` (naming the option and the fix) for bad options.
 */
export function createNewRelicSource(input: NewRelicSourceOptions): MetricSource {
  const options = resolveOptions(input);
  const ownAgent: Agent | undefined =
    options.dispatcher === undefined
      ? new Agent({ keepAliveTimeout: 30_000, connections: options.maxConcurrent })
      : undefined;
  const dispatcher: Dispatcher = options.dispatcher ?? (ownAgent as Agent);
  const limiter = new ConcurrencyLimiter(options.maxConcurrent);
  let disposal: Promise<void> | undefined;

  async function send(
    plan: NrqlPlan,
    guard: PortSignal,
    ctx: PortContext,
    remainingMs: number,
  ): Promise<ReadResult> {
    const cutShort = (): RollgateError =>
      guard.reason() === 'aborted' ? abortedError(ctx.signal.reason) : timeoutError();
    let release: Release;
    try {
      release = await limiter.acquire(guard.signal);
    } catch {
      return errorResult(cutShort());
    }
    try {
      if (disposal !== undefined) return errorResult(disposedError());
      const reply = await postNerdGraph({
        dispatcher,
        endpoint: options.endpoint,
        apiKey: options.apiKey,
        body: nerdGraphRequestBody({
          accountId: options.accountId,
          nrql: plan.nrql,
          timeout: nrqlTimeoutSeconds(options, remainingMs),
        }),
        signal: guard.signal,
        maxResponseBytes: options.maxResponseBytes,
      });
      if (guard.reason() !== undefined) return errorResult(cutShort());
      // A reply that echoes the request must not carry the key into an error message.
      const classified = classify(reply.status, redactSecret(reply.body, options.apiKey), reply.headers, {
        now: options.clock.now(),
      });
      if (!classified.ok) return errorResult(classified.error);
      return normaliseResults(classified.value, plan);
    } catch (error) {
      if (guard.reason() !== undefined) return errorResult(cutShort());
      return errorResult(transportError(error, options.apiKey));
    } finally {
      release();
    }
  }

  async function read(request: MetricRequest, ctx: PortContext): Promise<ReadResult> {
    try {
      if (disposal !== undefined) return errorResult(disposedError());
      let plan: NrqlPlan;
      try {
        plan = buildNrql(request, options.nrql);
      } catch (error) {
        return errorResult(RollgateError.from(error, 'SOURCE_BAD_QUERY', COMPONENT));
      }
      if (ctx.signal.aborted) return errorResult(abortedError(ctx.signal.reason));
      const remainingMs = ctx.deadline - options.clock.now();
      if (!(remainingMs > 0)) return errorResult(timeoutError());
      const guard = portSignal(ctx, options.clock);
      try {
        return await send(plan, guard, ctx, remainingMs);
      } finally {
        guard.dispose();
      }
    } catch (error) {
      // Nothing above should throw; if it does, the port still resolves.
      const message =
        error instanceof Error ? redactSecret(error.message, options.apiKey) : 'unknown failure';
      return errorResult(
        new RollgateError('INTERNAL', `newrelic-source failed unexpectedly: ${message}`, {
          component: COMPONENT,
        }),
      );
    }
  }

  function describe(request: MetricRequest): string {
    try {
      // A raw query is the caller's text; make sure even that cannot put the key in an audit record.
      return redactSecret(buildNrql(request, options.nrql).nrql, options.apiKey);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return `(no NRQL: ${redactSecret(message, options.apiKey)})`;
    }
  }

  async function dispose(): Promise<void> {
    disposal ??= ownAgent === undefined ? Promise.resolve() : ownAgent.destroy().catch(() => undefined);
    await disposal;
  }

  return Object.freeze({ name: options.name, read, describe, dispose });
}

function disposedError(): RollgateError {
  return new RollgateError('SOURCE_UNAVAILABLE', 'This New Relic source was disposed; create a new one.', {
    component: COMPONENT,
  });
}
