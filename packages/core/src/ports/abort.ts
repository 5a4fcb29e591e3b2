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

/**
 * What every port call receives: a signal that fires when the caller gives up, and the
 * absolute deadline (epoch ms, by the controller's Clock) by which the call must settle.
 */
export interface PortContext {
  readonly signal: AbortSignalLike;
  /** Epoch ms by the controller's Clock. Adapters map it to their own timeout. */
  readonly deadline: number;
}
