import { RollgateError, type RollgateErrorCode } from '@rollgate/core';
import { parseRetryAfter } from '@rollgate/core/node';

/** RBAC verbs the adapters use. */
export type RbacVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch';

/** What a request tried to do, for RBAC hints and error messages. */
export interface ApiAccess {
  readonly verb: RbacVerb;
  /** `resource.group` as RBAC names it: `deployments.apps`, `pods`, `leases.coordination.k8s.io`. */
  readonly resource: string;
  readonly namespace: string;
  readonly name?: string;
}

/**
 * Who is asking: it picks the error codes. A metric source reports `SOURCE_*` codes; the executor
 * and the leader elector report executor codes.
 */
export type KubeRole = 'executor' | 'source' | 'elector';

/** Everything {@link classify} needs besides the reply. */
export interface ClassifyContext extends ApiAccess {
  readonly role: KubeRole;
  /** `RollgateError.component`. */
  readonly component: string;
  /** Epoch ms, to turn an HTTP-date `Retry-After` into a delay. */
  readonly nowMs?: number;
  /** Scrubs credentials from server-provided text before it goes into a message. */
  readonly redact?: (text: string) => string;
}

/** Response headers as undici gives them. */
export type ReplyHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * How a caller should treat a reply:
 * - `ok`: 2xx;
 * - `conflict`: 409 (stale resourceVersion, or AlreadyExists on create): re-read and retry,
 *   bounded; `error` is what to report when the retries run out;
 * - `expired`: 410 Gone on a watch: re-list and watch again;
 * - `not-found`: 404;
 * - `error`: anything else, with `retryable` and `retryAfterMs` set.
 */
export type Classification =
  | { readonly kind: 'ok' }
  | { readonly kind: 'conflict' | 'expired' | 'not-found' | 'error'; readonly error: RollgateError };

/** The parts of a `kind: Status` reply body used in messages. */
export interface StatusBody {
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly retryAfterSeconds?: number;
}

/** Reads a `kind: Status` body; plain text (a proxy's 429 page) becomes the message. */
export function parseStatusBody(body: string): StatusBody {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const o = parsed as Record<string, unknown>;
      const details =
        typeof o.details === 'object' && o.details !== null ? (o.details as Record<string, unknown>) : {};
      const out: { message?: string; reason?: string; code?: number; retryAfterSeconds?: number } = {};
      if (typeof o.message === 'string') out.message = o.message;
      if (typeof o.reason === 'string') out.reason = o.reason;
      if (typeof o.code === 'number') out.code = o.code;
      if (typeof details.retryAfterSeconds === 'number') out.retryAfterSeconds = details.retryAfterSeconds;
      return out;
    }
  } catch {
    // Not JSON: a plain-text reply from the server or a proxy in front of it.
  }
  const text = body.trim();
  return text.length > 0 ? { message: text.length > 300 ? `${text.slice(0, 300)}…` : text } : {};
}

function header(headers: ReplyHeaders, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value[0];
}

function target(ctx: ApiAccess): string {
  const what = ctx.name === undefined ? ctx.resource : `${ctx.resource} ${JSON.stringify(ctx.name)}`;
  return `${what} in namespace ${ctx.namespace}`;
}

const WRITE_VERBS: ReadonlySet<RbacVerb> = new Set(['create', 'update', 'patch']);

function codes(role: KubeRole): {
  auth: RollgateErrorCode;
  forbidden: RollgateErrorCode;
  notFound: RollgateErrorCode;
  invalid: (verb: RbacVerb) => RollgateErrorCode;
  rateLimited: RollgateErrorCode;
  unavailable: RollgateErrorCode;
  conflict: RollgateErrorCode;
  unexpected: RollgateErrorCode;
} {
  if (role === 'source') {
    return {
      auth: 'SOURCE_AUTH',
      forbidden: 'SOURCE_AUTH',
      notFound: 'SOURCE_BAD_QUERY',
      invalid: () => 'SOURCE_BAD_QUERY',
      rateLimited: 'SOURCE_RATE_LIMITED',
      unavailable: 'SOURCE_UNAVAILABLE',
      conflict: 'SOURCE_UNAVAILABLE',
      unexpected: 'SOURCE_BAD_RESPONSE',
    };
  }
  return {
    auth: 'EXECUTOR_UNAVAILABLE',
    forbidden: 'EXECUTOR_REFUSED',
    notFound: 'ARTIFACT_NOT_FOUND',
    invalid: (verb) => (WRITE_VERBS.has(verb) ? 'CUTOVER_FAILED' : 'EXECUTOR_UNAVAILABLE'),
    rateLimited: 'EXECUTOR_UNAVAILABLE',
    unavailable: 'EXECUTOR_UNAVAILABLE',
    conflict: 'CUTOVER_FAILED',
    unexpected: 'EXECUTOR_UNAVAILABLE',
  };
}

/**
 * Maps a Kubernetes API reply to what the caller does next (docs/writing-an-adapter.md, "Rules for every port"). Pure: the same
 * reply and context always give the same answer. Messages name the verb and resource that
 * failed and what to do; they never contain request headers, and server text goes through
 * `ctx.redact`.
 */
export function classify(
  status: number,
  body: string,
  headers: ReplyHeaders,
  ctx: ClassifyContext,
): Classification {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const redact = ctx.redact ?? ((text: string) => text);
  const parsed = parseStatusBody(body);
  const serverSaid = parsed.message === undefined ? '' : ` Server said: ${redact(parsed.message)}`;
  const code = codes(ctx.role);
  const details: Record<string, unknown> = {
    status,
    verb: ctx.verb,
    resource: ctx.resource,
    namespace: ctx.namespace,
  };
  if (ctx.name !== undefined) details.name = ctx.name;
  if (parsed.reason !== undefined) details.reason = parsed.reason;
  const base = { component: ctx.component, details };
  const make = (
    c: RollgateErrorCode,
    message: string,
    retryable: boolean,
    retryAfterMs?: number,
  ): RollgateError =>
    new RollgateError(
      c,
      message,
      retryAfterMs === undefined ? { ...base, retryable } : { ...base, retryable, retryAfterMs },
    );

  if (status === 401) {
    return {
      kind: 'error',
      error: make(
        code.auth,
        `Kubernetes API rejected the credentials (401 Unauthorized) on ${ctx.verb} ${target(ctx)}: the bearer token, ` +
          'client certificate or exec-plugin credential is missing, expired or invalid. Refresh the kubeconfig user ' +
          'or the service-account token.',
        false,
      ),
    };
  }
  if (status === 403) {
    return {
      kind: 'error',
      error: make(
        code.forbidden,
        `RBAC: the service account (or user) may not ${ctx.verb} ${ctx.resource} in namespace ${ctx.namespace}; ` +
          `add verb ${ctx.verb} on ${ctx.resource} to the Role bound to it (docs/adapters/kubernetes.md lists the ` +
          `full Role).${serverSaid}`,
        false,
      ),
    };
  }
  if (status === 404) {
    return {
      kind: 'not-found',
      error: make(code.notFound, `Not found: ${target(ctx)} does not exist (404).${serverSaid}`, false),
    };
  }
  if (status === 409) {
    return {
      kind: 'conflict',
      error: make(
        code.conflict,
        `Conflict on ${ctx.verb} ${target(ctx)} (409): the object changed since it was read; re-read it and ` +
          `try again.${serverSaid}`,
        true,
      ),
    };
  }
  if (status === 410) {
    return {
      kind: 'expired',
      error: make(
        code.unavailable,
        `The resourceVersion used to ${ctx.verb} ${ctx.resource} is too old (410 Gone): list again and resume from ` +
          `the new resourceVersion.${serverSaid}`,
        true,
      ),
    };
  }
  if (status === 400 || status === 422) {
    return {
      kind: 'error',
      error: make(
        code.invalid(ctx.verb),
        `Kubernetes API rejected the ${ctx.verb} of ${target(ctx)} as invalid (${status}` +
          `${parsed.reason ? ` ${parsed.reason}` : ''}); fix the request or the object, retrying will not help.${serverSaid}`,
        false,
      ),
    };
  }
  const retryAfterMs =
    parseRetryAfter(header(headers, 'retry-after'), ctx.nowMs) ??
    (parsed.retryAfterSeconds === undefined ? undefined : parsed.retryAfterSeconds * 1000);
  if (status === 429) {
    const wait = retryAfterMs === undefined ? '' : ` (Retry-After ${Math.round(retryAfterMs / 1000)} s)`;
    return {
      kind: 'error',
      error: make(
        code.rateLimited,
        `Kubernetes API is throttling requests (429 Too Many Requests) on ${ctx.verb} ${target(ctx)}${wait}; ` +
          `retry later.${serverSaid}`,
        true,
        retryAfterMs,
      ),
    };
  }
  if (status >= 500) {
    return {
      kind: 'error',
      error: make(
        code.unavailable,
        `Kubernetes API failed (${status}) on ${ctx.verb} ${target(ctx)}; this is usually transient, retry ` +
          `later.${serverSaid}`,
        true,
        retryAfterMs,
      ),
    };
  }
  return {
    kind: 'error',
    error: make(
      code.unexpected,
      `Kubernetes API answered ${status} on ${ctx.verb} ${target(ctx)}.${serverSaid}`,
      false,
    ),
  };
}
