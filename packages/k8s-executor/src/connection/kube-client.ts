import type { Clock, PortContext } from '@rollgate/core';
import { RollgateError } from '@rollgate/core';
import { portSignal } from '@rollgate/core/node';
import type { request as undiciRequest } from 'undici';
import { type ApiAccess, classify, type KubeRole } from '../errors/classify';
import { isJsonObject, type JsonObject, type JsonValue } from '../resources/json-value';
import type { KubeConnection } from './kube-connection';
import { splitLines } from './line-splitter';

/** One API call. */
export interface KubeRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: JsonValue;
  /** Defaults to `application/json` when there is a body. */
  readonly contentType?: string;
  /** What the call does, for RBAC hints and messages. */
  readonly access: ApiAccess;
}

/** What a call resolved to; failures carry the classification kind (see `classify`). */
export type KubeResult =
  | { readonly ok: true; readonly status: number; readonly body: unknown }
  | {
      readonly ok: false;
      readonly kind: 'conflict' | 'expired' | 'not-found' | 'error';
      readonly error: RollgateError;
    };

/** How a watch ended. `deadline` means the `until` passed to {@link KubeClient.watch} was reached. */
export type WatchEnd =
  | { readonly kind: 'stopped' }
  | { readonly kind: 'closed' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'deadline' }
  | { readonly kind: 'error'; readonly error: RollgateError };

/** One watch event: ADDED, MODIFIED, DELETED, BOOKMARK. ERROR events end the watch instead. */
export interface WatchEvent {
  readonly type: string;
  readonly object: JsonObject;
}

/** Settings of a {@link KubeClient}. */
export interface KubeClientOptions {
  readonly connection: KubeConnection;
  readonly role: KubeRole;
  readonly component: string;
  /** The controller's clock: deadlines are epoch ms by it. */
  readonly clock: Clock;
}

function buildUrl(
  baseUrl: string,
  path: string,
  query: Readonly<Record<string, string>> | undefined,
): string {
  const search = query === undefined ? '' : new URLSearchParams(query).toString();
  return `${baseUrl}${path}${search === '' ? '' : `?${search}`}`;
}

/**
 * The HTTP side of the adapters: credentials from the connection, deadlines from `ctx.deadline`
 * by the injected clock, aborts from `ctx.signal`, replies through the one `classify`. Never
 * throws and never retries: callers decide (conflicts, re-lists).
 */
export class KubeClient {
  readonly #options: KubeClientOptions;

  constructor(options: KubeClientOptions) {
    this.#options = options;
  }

  /** Where requests go, for messages. */
  get description(): string {
    return this.#options.connection.description;
  }

  #error(
    kind: 'timeout' | 'aborted' | 'network' | 'bad-response' | 'config' | 'auth',
    message: string,
    cause?: unknown,
  ): RollgateError {
    const { role, component } = this.#options;
    const source = role === 'source';
    const base = cause === undefined ? { component } : { component, cause };
    switch (kind) {
      case 'timeout':
        return new RollgateError('TIMEOUT', message, { ...base, retryable: true });
      case 'aborted':
        return new RollgateError('ABORTED', message, base);
      case 'network':
        return new RollgateError(source ? 'SOURCE_UNAVAILABLE' : 'EXECUTOR_UNAVAILABLE', message, {
          ...base,
          retryable: true,
        });
      case 'bad-response':
        return new RollgateError(source ? 'SOURCE_BAD_RESPONSE' : 'EXECUTOR_UNAVAILABLE', message, base);
      case 'config':
        return new RollgateError('CONFIG_INVALID', message, base);
      default:
        return new RollgateError(source ? 'SOURCE_AUTH' : 'EXECUTOR_UNAVAILABLE', message, base);
    }
  }

  #abortedError(ctx: PortContext, access: ApiAccess): RollgateError {
    return this.#error(
      'aborted',
      `Aborted by the caller before ${access.verb} ${access.resource} in namespace ${access.namespace} finished.`,
      ctx.signal.reason,
    );
  }

  #timeoutError(access: ApiAccess): RollgateError {
    return this.#error(
      'timeout',
      `Deadline reached before the Kubernetes API answered ${access.verb} ${access.resource} in namespace ` +
        `${access.namespace}; retry with more time.`,
    );
  }

  #networkError(access: ApiAccess, cause: unknown): RollgateError {
    const code = (cause as { code?: unknown; cause?: { code?: unknown } } | undefined)?.code;
    const inner = (cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
    const reason = typeof inner === 'string' ? inner : typeof code === 'string' ? code : 'connection failed';
    return this.#error(
      'network',
      `Cannot reach the Kubernetes API (${this.description}) to ${access.verb} ${access.resource} in namespace ` +
        `${access.namespace}: ${reason}. Check the server address, network policy and TLS settings.`,
      cause,
    );
  }

  /** Starts a request with deadline and abort wired; shared by {@link request} and {@link watch}. */
  async #open(
    req: KubeRequest,
    ctx: PortContext,
    until: number,
    bodyTimeout: number | undefined,
  ): Promise<
    | {
        ok: true;
        response: Awaited<ReturnType<typeof undiciRequest>>;
        stop: () => void;
        done: () => boolean;
        cleanup: () => void;
      }
    | { ok: false; error: RollgateError; deadline: boolean }
  > {
    const { clock, connection } = this.#options;
    if (ctx.signal.aborted) return { ok: false, error: this.#abortedError(ctx, req.access), deadline: false };
    if (until - clock.now() <= 0) return { ok: false, error: this.#timeoutError(req.access), deadline: true };
    const prepared = await connection.prepare();
    if (!prepared.ok) {
      return {
        ok: false,
        error: this.#error(prepared.failure.kind, prepared.failure.message),
        deadline: false,
      };
    }
    if (ctx.signal.aborted) return { ok: false, error: this.#abortedError(ctx, req.access), deadline: false };
    const link = portSignal(ctx, clock, { limitMs: until - clock.now() });
    const timedOut = (): boolean => link.reason() === 'deadline' || link.reason() === 'limit';
    const cleanup = (): void => link.dispose();
    const headers: Record<string, string> = { ...prepared.value.headers, Accept: 'application/json' };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['Content-Type'] = req.contentType ?? 'application/json';
    }
    try {
      const options: Parameters<typeof undiciRequest>[1] = {
        method: req.method,
        headers,
        dispatcher: prepared.value.dispatcher,
        signal: link.signal,
      };
      if (body !== undefined) options.body = body;
      if (bodyTimeout !== undefined) options.bodyTimeout = bodyTimeout;
      // undici is loaded with the first request, so importing this package stays cheap.
      const { request } = await import('undici');
      const response = await request(buildUrl(prepared.value.baseUrl, req.path, req.query), options);
      return { ok: true, response, stop: () => link.stop(), done: timedOut, cleanup };
    } catch (error) {
      cleanup();
      if (timedOut()) return { ok: false, error: this.#timeoutError(req.access), deadline: true };
      if (ctx.signal.aborted)
        return { ok: false, error: this.#abortedError(ctx, req.access), deadline: false };
      return { ok: false, error: this.#networkError(req.access, error), deadline: false };
    }
  }

  #classify(
    status: number,
    text: string,
    headers: Record<string, string | string[] | undefined>,
    access: ApiAccess,
  ) {
    const { role, component, clock, connection } = this.#options;
    return classify(status, text, headers, {
      ...access,
      role,
      component,
      nowMs: clock.now(),
      redact: (t) => connection.redact(t),
    });
  }

  /** Sends one request and reads the whole reply; resolves, never rejects. */
  async request(req: KubeRequest, ctx: PortContext): Promise<KubeResult> {
    const opened = await this.#open(req, ctx, ctx.deadline, undefined);
    if (!opened.ok) return { ok: false, kind: 'error', error: opened.error };
    const { response, done, cleanup } = opened;
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      if (done()) return { ok: false, kind: 'error', error: this.#timeoutError(req.access) };
      if (ctx.signal.aborted) return { ok: false, kind: 'error', error: this.#abortedError(ctx, req.access) };
      return { ok: false, kind: 'error', error: this.#networkError(req.access, error) };
    } finally {
      cleanup();
    }
    const verdict = this.#classify(response.statusCode, text, response.headers, req.access);
    if (verdict.kind !== 'ok') return { ok: false, kind: verdict.kind, error: verdict.error };
    try {
      return {
        ok: true,
        status: response.statusCode,
        body: text === '' ? null : (JSON.parse(text) as unknown),
      };
    } catch (error) {
      return {
        ok: false,
        kind: 'error',
        error: this.#error(
          'bad-response',
          `The Kubernetes API answered ${req.access.verb} ${req.access.resource} with a body that is not JSON; is ` +
            `${this.description} really an API server?`,
          error,
        ),
      };
    }
  }

  /**
   * Watches a collection (`?watch=1`): calls `onEvent` per newline-delimited `{type, object}`
   * until it returns `'stop'`, the server closes the stream, an ERROR event arrives (410 →
   * `expired`), `ctx.signal` fires or `until` (epoch ms by the clock) passes.
   */
  async watch(
    req: KubeRequest,
    ctx: PortContext,
    until: number,
    onEvent: (event: WatchEvent) => 'continue' | 'stop',
  ): Promise<WatchEnd> {
    const limit = Math.min(until, ctx.deadline);
    // Idle streams are normal for a watch; the deadline timer bounds it instead.
    const opened = await this.#open(req, ctx, limit, 0);
    if (!opened.ok) return opened.deadline ? { kind: 'deadline' } : { kind: 'error', error: opened.error };
    const { response, stop, done, cleanup } = opened;
    let stopped = false;
    try {
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const text = await response.body.text();
        const verdict = this.#classify(response.statusCode, text, response.headers, req.access);
        if (verdict.kind === 'expired') return { kind: 'expired' };
        if (verdict.kind === 'ok') return { kind: 'closed' };
        return { kind: 'error', error: verdict.error };
      }
      const lines = splitLines();
      for await (const chunk of response.body) {
        for (const line of lines.push(chunk as Uint8Array)) {
          const end = this.#handleLine(line, req.access, onEvent);
          if (end === undefined) continue;
          if (end.kind === 'stopped') {
            stopped = true;
            stop();
          }
          return end;
        }
      }
      // A last event without its trailing newline still counts.
      return this.#handleLine(lines.end(), req.access, onEvent) ?? { kind: 'closed' };
    } catch (error) {
      if (stopped) return { kind: 'stopped' };
      if (done()) return { kind: 'deadline' };
      if (ctx.signal.aborted) return { kind: 'error', error: this.#abortedError(ctx, req.access) };
      return { kind: 'error', error: this.#networkError(req.access, error) };
    } finally {
      cleanup();
      if (!response.body.destroyed) response.body.destroy();
    }
  }

  #handleLine(
    line: string,
    access: ApiAccess,
    onEvent: (event: WatchEvent) => 'continue' | 'stop',
  ): WatchEnd | undefined {
    if (line.trim() === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      return {
        kind: 'error',
        error: this.#error('bad-response', `A watch event on ${access.resource} is not JSON.`, error),
      };
    }
    if (!isJsonObject(parsed) || typeof parsed.type !== 'string' || !isJsonObject(parsed.object)) {
      return {
        kind: 'error',
        error: this.#error('bad-response', `A watch event on ${access.resource} lacks type or object.`),
      };
    }
    if (parsed.type === 'ERROR') {
      const status = parsed.object;
      const code = typeof status.code === 'number' ? status.code : 500;
      const verdict = this.#classify(code, JSON.stringify(status), {}, access);
      if (verdict.kind === 'expired') return { kind: 'expired' };
      if (verdict.kind === 'ok') return undefined;
      return { kind: 'error', error: verdict.error };
    }
    return onEvent({ type: parsed.type, object: parsed.object }) === 'stop' ? { kind: 'stopped' } : undefined;
  }
}
