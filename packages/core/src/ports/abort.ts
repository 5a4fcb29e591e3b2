/**
 * The part of the standard `AbortSignal` that Rollgate uses. Core declares it itself so it
 * stays free of DOM and Node type libraries; a real `AbortSignal` satisfies it.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** An abort signal core can fire itself (core has no `AbortController`: it is not ECMAScript). */
export class LocalAbortSignal implements AbortSignalLike {
  aborted = false;
  reason: unknown;
  readonly #listeners = new Set<() => void>();

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.aborted) this.#listeners.add(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.#listeners.delete(listener);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener();
  }
}

import type { LeaseFence } from './watch-lease';

/**
 * What every port call receives: a signal that fires when the caller gives up, and the
 * absolute deadline (epoch ms, by the controller's Clock) by which the call must settle.
 */
export interface PortContext {
  readonly signal: AbortSignalLike;
  /** Epoch ms by the controller's Clock. Adapters map it to their own timeout. */
  readonly deadline: number;
  /**
   * Set while the caller holds a watch lease: its key and fencing token. A store that keeps the
   * leases MUST refuse a write carrying a token that is no longer current (`LEASE_LOST`),
   * checked atomically with the write; reads and ports that cannot check it ignore it.
   */
  readonly fence?: LeaseFence;
}
