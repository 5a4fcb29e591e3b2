import { RollgateError } from '../errors/rollgate-error';
import type { PortContext } from '../ports/abort';
import { fail, ok, type Result } from '../ports/result';
import type { StateStore } from '../ports/state-store';
import { type Clock, sleep } from '../time/clock';
import { judgeControl } from './control-judgement';
import type { ControlAction, ControlRecord, ControlRequest, MachineSnapshot } from './machine-state';
import { RESTING_STATES, TERMINAL_STATES } from './state-table';
import { loadStoredSnapshot } from './stored-snapshot';
import { storeLoader } from './stored-watches';

/** The prefix of every human request's key in a {@link StateStore}. */
export const CONTROL_KEY_PREFIX = 'control/';

const ACTIONS: readonly ControlAction[] = ['promote', 'abort', 'retry'];
const MAX_REASON = 500;
const MAX_ACTOR = 200;

/** The StateStore key prefix of one watch's requests (with the trailing `/`, so `w1` is not `w10`). */
export function controlRequestPrefix(watchId: string): string {
  return `${CONTROL_KEY_PREFIX}${watchId}/`;
}

/** The StateStore key of one request. Keys sort in the order requests were made. */
export function controlRequestKey(watchId: string, requestId: string): string {
  return `${controlRequestPrefix(watchId)}${requestId}`;
}

/** What a caller asks: the watch, the action, who asks and why. */
export interface ControlRequestInput {
  readonly watchId: string;
  readonly action: ControlAction;
  /** Who asks; the embedder identifies them (core reads no environment). */
  readonly actor: string;
  readonly reason?: string;
}

/**
 * A validated request. `id` defaults to the request time (13 digits, so ids sort in time
 * order), the action and a short digest of who and why; give one (a UUID) when the same person
 * may send the same request twice in one millisecond and both must count.
 *
 * @throws RollgateError `CONFIG_INVALID` naming the field, for an unknown action, an empty
 *   actor or watch id, or an over-long reason.
 */
export function createControlRequest(input: ControlRequestInput, now: number, id?: string): ControlRequest {
  const bad = (field: string, problem: string) =>
    new RollgateError('CONFIG_INVALID', `${field}: ${problem}`, { component: 'control-requests' });
  if (typeof input.watchId !== 'string' || input.watchId.trim() === '')
    throw bad('watchId', 'name the watch (rollgate status lists them)');
  if (!ACTIONS.includes(input.action))
    throw bad('action', `expected one of ${ACTIONS.join(', ')}, got ${JSON.stringify(input.action)}`);
  const actor = typeof input.actor === 'string' ? input.actor.trim() : '';
  if (actor === '') throw bad('actor', 'say who asks (the audit records it)');
  if (actor.length > MAX_ACTOR) throw bad('actor', `at most ${MAX_ACTOR} characters`);
  const reason = (input.reason ?? '').trim();
  if (reason.length > MAX_REASON) throw bad('reason', `at most ${MAX_REASON} characters`);
  if (id !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(id))
    throw bad('id', 'use 1-64 letters, digits, ".", "_" or "-"');
  if (!Number.isFinite(now)) throw bad('now', 'give the request time in epoch ms');
  const requestId =
    id ??
    `${String(Math.max(0, Math.round(now))).padStart(13, '0')}-${input.action}-${digest(`${actor}\n${reason}`)}`;
  return { id: requestId, watchId: input.watchId, action: input.action, actor, reason, requestedAt: now };
}

/** Stores `request` under its own key, where the process running the watch picks it up. */
export async function submitControlRequest(
  state: StateStore,
  request: ControlRequest,
  ctx: PortContext,
): Promise<Result<ControlRequest>> {
  const saved = await state.save(controlRequestKey(request.watchId, request.id), request, ctx);
  return saved.ok ? ok(request) : fail(saved.error);
}

/** The answer when no request is stored: nothing pending, nothing damaged (frozen: shared). */
const NO_REQUESTS: PendingControlRequests = Object.freeze(
  ok(Object.freeze({ requests: Object.freeze([]), problems: Object.freeze([]) })),
);

/**
 * The requests stored for `snapshot`'s watch that it has not answered yet, oldest first. A
 * stored value that is not a request is skipped and reported in `problems` (it never steers).
 */
export async function pendingControlRequests(
  state: StateStore,
  snapshot: Pick<MachineSnapshot, 'watchId' | 'controls'>,
  ctx: PortContext,
): Promise<PendingControlRequests> {
  const prefix = controlRequestPrefix(snapshot.watchId);
  return controlRequestsListed(state, snapshot, prefix, await state.list(prefix, ctx), ctx);
}

/** What {@link pendingControlRequests} answers. */
export type PendingControlRequests = Result<{
  readonly requests: readonly ControlRequest[];
  readonly problems: readonly string[];
}>;

/**
 * {@link pendingControlRequests} once the listing of `prefix` (the watch's
 * {@link controlRequestPrefix}) is in: an empty listing is answered at once, with no Promise, so
 * the interpreter, which lists itself, polls without a frame of this function's (a watch looks
 * twice a step: docs/architecture.md, "The tick's path"; docs/benchmarks.md, `alloc15-issue-13`).
 */
export function controlRequestsListed(
  state: StateStore,
  snapshot: Pick<MachineSnapshot, 'watchId' | 'controls'>,
  prefix: string,
  keys: Awaited<ReturnType<StateStore['list']>>,
  ctx: PortContext,
): PendingControlRequests | Promise<PendingControlRequests> {
  if (!keys.ok) return fail(keys.error);
  // Almost every poll finds no request: the answer to an empty listing is one shared value, not
  // a Set and arrays.
  if (keys.value.length === 0) return NO_REQUESTS;
  return loadControlRequests(state, snapshot, prefix, keys.value, ctx);
}

/** The requests under the listed `keys` not answered yet, oldest first (see {@link pendingControlRequests}). */
async function loadControlRequests(
  state: StateStore,
  snapshot: Pick<MachineSnapshot, 'watchId' | 'controls'>,
  prefix: string,
  keys: readonly string[],
  ctx: PortContext,
): Promise<PendingControlRequests> {
  const answered = new Set((snapshot.controls ?? []).map((c) => c.id));
  const requests: ControlRequest[] = [];
  const problems: string[] = [];
  for (const key of keys) {
    if (answered.has(key.slice(prefix.length))) continue;
    const loaded = await state.load(key, ctx);
    if (!loaded.ok) return fail(loaded.error);
    if (loaded.value === null || loaded.value === undefined) continue;
    const request = asControlRequest(loaded.value, snapshot.watchId);
    if (typeof request === 'string') problems.push(`${key}: ${request}`);
    else if (!answered.has(request.id)) requests.push(request);
  }
  requests.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return ok({ requests, problems });
}

/** How a watch answered a request: `pending` until the process running it picks it up. */
export interface ControlOutcome {
  readonly request: ControlRequest;
  readonly status: 'applied' | 'refused' | 'pending';
  /** What happened or why not (for `pending`: what the watch is expected to do). */
  readonly detail: string;
  /** The watch's answer, once it gave one. */
  readonly record: ControlRecord | null;
  /** The watch as last read. */
  readonly snapshot: MachineSnapshot;
  /**
   * The watch is at rest (halted, escalated or held): no process runs it, so nothing picks the
   * request up until one resumes it (`controller.resume(watchId)`, or `rollgate watch --watch-id`).
   */
  readonly atRest: boolean;
}

/** Options of {@link requestControl}. */
export interface RequestControlOptions {
  readonly clock: Clock;
  /** How long to wait for the running watch to answer; 0 returns at once (`pending`). Default 0. */
  readonly waitMs?: number;
  /** How often to look while waiting. Default 500 ms. */
  readonly pollMs?: number;
  /** The request id (see {@link createControlRequest}). */
  readonly id?: string;
}

/**
 * Asks a watch to promote, abort or retry, for embedders and the CLI alike: judges the request
 * against the stored snapshot first (a request the watch would refuse is answered `refused`
 * without being stored), stores it, then waits up to `waitMs` for the process running the
 * watch to answer. A watch with no stored snapshot is `ARTIFACT_NOT_FOUND`.
 */
export async function requestControl(
  state: StateStore,
  input: ControlRequestInput,
  options: RequestControlOptions,
  ctx: PortContext,
): Promise<Result<ControlOutcome>> {
  let request: ControlRequest;
  try {
    request = createControlRequest(input, options.clock.now(), options.id);
  } catch (error) {
    return fail(RollgateError.from(error, 'CONFIG_INVALID', 'control-requests'));
  }
  const first = await loadWatch(state, request.watchId, ctx);
  if (!first.ok) return fail(first.error);
  let snapshot = first.value;
  const judged = judgeControl(snapshot, request.action);
  const atRest = () => TERMINAL_STATES.has(snapshot.state) && snapshot.pending.length === 0;
  if (!judged.accepted && !judged.deferred) {
    return ok({
      request,
      status: 'refused',
      detail: judged.detail,
      record: null,
      snapshot,
      atRest: atRest(),
    });
  }
  const submitted = await submitControlRequest(state, request, ctx);
  if (!submitted.ok) return fail(submitted.error);
  const waitMs = Math.max(0, options.waitMs ?? 0);
  const pollMs = Math.max(10, options.pollMs ?? 500);
  const until = options.clock.now() + waitMs;
  for (;;) {
    const answer = (snapshot.controls ?? []).find((c) => c.id === request.id);
    if (answer) {
      return ok({
        request,
        status: answer.result,
        detail: answer.detail,
        record: answer,
        snapshot,
        atRest: atRest(),
      });
    }
    const left = until - options.clock.now();
    if (left <= 0 || (RESTING_STATES.has(snapshot.state) && atRest())) break;
    await sleep(options.clock, Math.min(pollMs, left), ctx.signal);
    const reloaded = await loadWatch(state, request.watchId, ctx);
    if (!reloaded.ok) return fail(reloaded.error);
    snapshot = reloaded.value;
  }
  return ok({ request, status: 'pending', detail: judged.detail, record: null, snapshot, atRest: atRest() });
}

/** `requestControl` with `action: 'promote'`: end the bake and keep the release. */
export function promoteWatch(
  state: StateStore,
  watchId: string,
  by: { readonly actor: string; readonly reason?: string },
  options: RequestControlOptions,
  ctx: PortContext,
): Promise<Result<ControlOutcome>> {
  return requestControl(state, { watchId, action: 'promote', ...by }, options, ctx);
}

/** `requestControl` with `action: 'abort'`: roll back now through the normal path. */
export function abortWatch(
  state: StateStore,
  watchId: string,
  by: { readonly actor: string; readonly reason?: string },
  options: RequestControlOptions,
  ctx: PortContext,
): Promise<Result<ControlOutcome>> {
  return requestControl(state, { watchId, action: 'abort', ...by }, options, ctx);
}

/** `requestControl` with `action: 'retry'`: resume a halted or escalated watch at the failed step. */
export function retryWatch(
  state: StateStore,
  watchId: string,
  by: { readonly actor: string; readonly reason?: string },
  options: RequestControlOptions,
  ctx: PortContext,
): Promise<Result<ControlOutcome>> {
  return requestControl(state, { watchId, action: 'retry', ...by }, options, ctx);
}

async function loadWatch(
  state: StateStore,
  watchId: string,
  ctx: PortContext,
): Promise<Result<MachineSnapshot>> {
  let snapshot: MachineSnapshot | null;
  try {
    snapshot = await loadStoredSnapshot(storeLoader(state, ctx), watchId);
  } catch (error) {
    return fail(RollgateError.from(error, 'STATE_CORRUPT', 'control-requests'));
  }
  if (snapshot === null) {
    return fail(
      new RollgateError(
        'ARTIFACT_NOT_FOUND',
        `no stored watch "${watchId}"; rollgate status lists the watches`,
        {
          component: 'control-requests',
        },
      ),
    );
  }
  return ok(snapshot);
}

/** The request in a stored value, or why it is not one. */
function asControlRequest(value: unknown, watchId: string): ControlRequest | string {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' || v.id === '') return 'no id';
  if (v.watchId !== watchId) return `for watch ${JSON.stringify(v.watchId)}, not ${watchId}`;
  if (!ACTIONS.includes(v.action as ControlAction)) return `unknown action ${JSON.stringify(v.action)}`;
  if (typeof v.actor !== 'string' || v.actor === '') return 'no actor';
  if (typeof v.reason !== 'string') return 'no reason';
  if (typeof v.requestedAt !== 'number' || !Number.isFinite(v.requestedAt)) return 'no requestedAt';
  return {
    id: v.id,
    watchId,
    action: v.action as ControlAction,
    actor: v.actor,
    reason: v.reason,
    requestedAt: v.requestedAt,
  };
}

/** A short, stable digest (FNV-1a, base 36): distinguishes requests without needing randomness. */
function digest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36).padStart(7, '0');
}
