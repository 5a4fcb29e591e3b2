import type { Clock, PortContext } from '@rollgate/core';
import { portSignal } from '@rollgate/core/node';
import type { ProbeOutcome } from './classify-probe';

/** A health URL ready to request: credentials moved into a header, a display form without secrets. */
export interface PreparedProbe {
  readonly url: string;
  /** Origin and path only: no user info, query or fragment (they may carry tokens). */
  readonly display: string;
  readonly headers: Readonly<Record<string, string>>;
}

const MAX_BODY = 64 * 1024;

/** The form of a URL that is safe to show: no credentials, query or fragment. */
export function displayUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Splits a health URL into what `fetch` accepts (it refuses URLs with credentials) and what may
 * be shown: `https://user:pass@host/health` becomes a basic `authorization` header.
 */
export function prepareProbe(raw: string, headers: Readonly<Record<string, string>>): PreparedProbe {
  const u = new URL(raw);
  const out: Record<string, string> = { ...headers };
  if (u.username !== '' || u.password !== '') {
    const user = decodeURIComponent(u.username);
    const password = decodeURIComponent(u.password);
    out.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  return { url: u.toString(), display: displayUrl(raw), headers: out };
}

/**
 * One GET with its own timeout (bounded by the deadline). Resolves an outcome, never throws;
 * `aborted` when the caller's signal fired (the gate then reports `ABORTED`).
 */
export async function probeOnce(
  probe: PreparedProbe,
  ctx: PortContext,
  clock: Clock,
  timeoutMs: number,
): Promise<ProbeOutcome | 'aborted'> {
  const link = portSignal(ctx, clock, { limitMs: timeoutMs });
  try {
    const response = await fetch(probe.url, {
      method: 'GET',
      headers: probe.headers,
      redirect: 'manual',
      signal: link.signal,
    });
    const body = await readCapped(response);
    return { kind: 'reply', status: response.status, body };
  } catch (error) {
    const why = link.reason();
    if (why === 'aborted') return 'aborted';
    if (why !== undefined) {
      return { kind: 'error', message: `timed out after ${Math.round(timeoutMs)} ms`, timedOut: true };
    }
    return { kind: 'error', message: describeFetchError(error) };
  } finally {
    link.dispose();
  }
}

async function readCapped(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_BODY) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8');
}

/** fetch wraps socket errors as `TypeError: fetch failed` with the useful part in `cause`. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
