import { RollgateError, type SerializedRollgateError } from '../errors/rollgate-error';
import { type AbortSignalLike, LocalAbortSignal, type PortContext } from '../ports/abort';
import type { LeaseFence, LeaseGrant, WatchLease } from '../ports/watch-lease';
import { type Clock, sleep } from '../time/clock';

/** What happens to a controller's watch lease, as its `lease` event reports it. */
export type LeaseEvent =
  | {
      readonly type: 'waiting';
      readonly key: string;
      readonly holder: string;
      readonly retryInMs: number;
      readonly at: number;
    }
  | { readonly type: 'acquired'; readonly key: string; readonly token: number; readonly at: number }
  | {
      readonly type: 'renew-failed';
      readonly key: string;
      readonly token: number;
      readonly error: SerializedRollgateError;
      readonly at: number;
    }
  | {
      readonly type: 'lost';
      readonly key: string;
      readonly token: number;
      readonly reason: string;
      readonly at: number;
    }
  | { readonly type: 'released'; readonly key: string; readonly token: number; readonly at: number };

/** Options of {@link LeaseKeeper}. */
export interface LeaseKeeperOptions {
  readonly lease: WatchLease;
  readonly key: string;
  readonly clock: Clock;
  /** Deadline of each lease call. */
  readonly portMs: number;
  /**
   * How long {@link LeaseKeeper.confirm} keeps retrying a lease store that fails (retryably)
   * before the controller gives up without acting.
   */
  readonly outageMs: number;
  readonly emit: (event: LeaseEvent) => void;
}

/**
 * A signal that fires when either `a` or `b` fires, with that one's reason. `dispose` detaches
 * it from both, so a long-lived signal does not collect listeners.
 */
export function eitherSignal(a: AbortSignalLike, b: AbortSignalLike): AbortSignalLike & { dispose(): void } {
  const either = new LocalAbortSignal();
  const fromA = () => either.abort(a.reason);
  const fromB = () => either.abort(b.reason);
  if (a.aborted) fromA();
  else if (b.aborted) fromB();
  else {
    a.addEventListener('abort', fromA, { once: true });
    b.addEventListener('abort', fromB, { once: true });
  }
  return Object.assign(either, {
    dispose() {
      a.removeEventListener('abort', fromA);
      b.removeEventListener('abort', fromB);
    },
  });
}

const NEVER: AbortSignalLike = {
  aborted: false,
  addEventListener: () => {},
  removeEventListener: () => {},
};

/**
 * Holds one watch lease for a controller: acquires it (waiting if asked), renews it in the
 * background every third of its duration, confirms it with a fresh renewal before every
 * command, and fires {@link LeaseKeeper.lostSignal} the moment a renewal learns that another
 * controller was granted the key, so the command in flight is abandoned.
 */
export class LeaseKeeper {
  readonly #options: LeaseKeeperOptions;
  readonly #lostSignal = new LocalAbortSignal();
  #grant: LeaseGrant | null = null;
  #lost: RollgateError | null = null;
  #timer: unknown;
  #running = false;
  /** One renewal at a time: the background loop and `confirm` share it. */
  #renewing: Promise<void> | null = null;
  /** Until when (this clock) the last confirmed grant surely lasts: its request's send time plus the ttl. */
  #validUntil = Number.NEGATIVE_INFINITY;

  constructor(options: LeaseKeeperOptions) {
    this.#options = options;
  }

  /** The fence every port call carries while the lease is held. */
  get fence(): LeaseFence | undefined {
    return this.#grant ? { key: this.#grant.key, token: this.#grant.token } : undefined;
  }

  /** Fires when the lease is lost to another controller; its reason is the `LEASE_LOST` error. */
  get lostSignal(): AbortSignalLike {
    return this.#lostSignal;
  }

  /** The `LEASE_LOST` error once the lease is lost, else null. */
  get lost(): RollgateError | null {
    return this.#lost;
  }

  /**
   * Acquires the lease. Another live holder: `LEASE_HELD` at once, or with `wait` a poll until
   * the holder releases it, its grant expires, or `signal` fires (`ABORTED`).
   */
  async acquire(signal: AbortSignalLike, wait: boolean): Promise<LeaseGrant> {
    const { lease, key, clock } = this.#options;
    let lastHolder: string | null = null;
    let failures = 0;
    for (;;) {
      const sentAt = clock.now();
      const acquired = await lease.acquire(key, this.#ctx(signal));
      if (acquired.ok) {
        this.#grant = acquired.value;
        this.#validUntil = sentAt + acquired.value.ttlMs;
        this.#options.emit({ type: 'acquired', key, token: acquired.value.token, at: clock.now() });
        this.#startRenewing();
        return acquired.value;
      }
      const error = acquired.error;
      if (error.code === 'ABORTED' || signal.aborted) throw abortedError(signal);
      if (error.code === 'LEASE_HELD') {
        if (!wait) throw error;
        const holder = typeof error.details.holder === 'string' ? error.details.holder : 'another controller';
        const retryInMs = Number(error.details.retryInMs);
        const waitMs = Math.min(
          Math.max(Number.isFinite(retryInMs) ? retryInMs : lease.ttlMs, 25),
          Math.max(lease.ttlMs / 10, 25),
        );
        if (holder !== lastHolder) {
          lastHolder = holder;
          this.#options.emit({
            type: 'waiting',
            key,
            holder,
            retryInMs: Number.isFinite(retryInMs) ? retryInMs : lease.ttlMs,
            at: clock.now(),
          });
        }
        failures = 0;
        await sleep(clock, waitMs, signal);
        continue;
      }
      if (!error.retryable || ++failures > 5) throw error;
      await sleep(clock, backoffMs(failures), signal);
    }
  }

  /**
   * Renews the lease now and resolves only once the store confirmed it: the fenced step before
   * every command. A store that fails retryably is tried again with backoff for `outageMs`;
   * then, or on any other failure, it rejects and the controller stops without acting.
   * Rejects with `LEASE_LOST` when another controller holds the lease.
   */
  async confirm(signal: AbortSignalLike): Promise<void> {
    const started = this.#options.clock.now();
    for (let attempt = 1; ; attempt++) {
      if (this.#lost) throw this.#lost;
      const failure = await this.#renewOnce(signal);
      if (this.#lost) throw this.#lost;
      if (failure === null) return;
      if (signal.aborted) throw abortedError(signal);
      if (!failure.retryable) throw failure;
      if (this.#options.clock.now() - started >= this.#options.outageMs) {
        throw new RollgateError(
          'STORE_FAILED',
          `Could not renew the watch lease of "${this.#options.key}" for ${Math.round(this.#options.outageMs / 1000)} s (${failure.code}: ${failure.message}); stopped without acting. The snapshot is kept: run the watch again to resume it.`,
          { component: 'controller', retryable: true, cause: failure },
        );
      }
      await sleep(this.#options.clock, backoffMs(attempt), signal);
    }
  }

  /**
   * Confirms the lease again unless the last confirmation is recent (less than a third of the
   * ttl old): the check right before an executor call that changes traffic. A controller paused
   * (SIGSTOP, a long GC, a frozen VM) between its confirmation and that call finds, on waking,
   * that its confirmation is stale, renews, and learns `LEASE_LOST` instead of acting.
   */
  async ensureFresh(signal: AbortSignalLike): Promise<void> {
    if (this.#lost) throw this.#lost;
    const margin = this.#options.lease.ttlMs / 3;
    if (this.#options.clock.now() < this.#validUntil - 2 * margin) return;
    await this.confirm(signal);
  }

  /** Stops renewing and releases the lease (not when it was lost). Never throws. */
  async release(): Promise<void> {
    this.#stopRenewing();
    await this.#renewing?.catch(() => undefined);
    const grant = this.#grant;
    if (!grant || this.#lost) return;
    this.#grant = null;
    const released = await this.#options.lease
      .release(grant, this.#ctx(NEVER))
      .catch(() => ({ ok: false as const }));
    if (released.ok) {
      this.#options.emit({
        type: 'released',
        key: grant.key,
        token: grant.token,
        at: this.#options.clock.now(),
      });
    }
  }

  /** Stops the background renewal, leaving the lease to expire (after an abort or a crash-like stop). */
  stop(): void {
    this.#stopRenewing();
  }

  #ctx(signal: AbortSignalLike): PortContext {
    return { signal, deadline: this.#options.clock.now() + this.#options.portMs };
  }

  /** One renewal (or joins the one in flight, then makes a fresh one); the failure, or null. */
  async #renewOnce(signal: AbortSignalLike): Promise<RollgateError | null> {
    while (this.#renewing) await this.#renewing;
    let failure: RollgateError | null = null;
    const run = (async () => {
      const grant = this.#grant;
      if (!grant) {
        failure = new RollgateError(
          'INTERNAL',
          'the lease is renewed before it was acquired; this is a bug',
          {
            component: 'controller',
          },
        );
        return;
      }
      let renewed: Awaited<ReturnType<WatchLease['renew']>>;
      const sentAt = this.#options.clock.now();
      try {
        renewed = await this.#options.lease.renew(grant, this.#ctx(signal));
      } catch (error) {
        renewed = { ok: false, error: RollgateError.from(error, 'STORE_FAILED', 'controller') };
      }
      if (renewed.ok) {
        this.#grant = renewed.value;
        this.#validUntil = sentAt + renewed.value.ttlMs;
        return;
      }
      failure = renewed.error;
      if (renewed.error.code === 'LEASE_LOST') {
        this.#markLost(renewed.error);
        return;
      }
      if (renewed.error.code !== 'ABORTED') {
        this.#options.emit({
          type: 'renew-failed',
          key: grant.key,
          token: grant.token,
          error: renewed.error.toJSON(),
          at: this.#options.clock.now(),
        });
      }
    })();
    this.#renewing = run;
    try {
      await run;
    } finally {
      this.#renewing = null;
    }
    return failure;
  }

  /** Marks the lease lost (a renewal or a fenced write was refused) and fires the signal. */
  markLost(error: RollgateError): void {
    this.#markLost(error);
  }

  #markLost(error: RollgateError): void {
    if (this.#lost) return;
    const lost =
      error.code === 'LEASE_LOST'
        ? error
        : new RollgateError('LEASE_LOST', error.message, { component: 'controller', cause: error });
    this.#lost = lost;
    this.#stopRenewing();
    const grant = this.#grant;
    this.#options.emit({
      type: 'lost',
      key: this.#options.key,
      token: grant?.token ?? 0,
      reason: lost.message,
      at: this.#options.clock.now(),
    });
    this.#lostSignal.abort(lost);
  }

  #startRenewing(): void {
    this.#running = true;
    this.#schedule(this.#options.lease.ttlMs / 3);
  }

  #schedule(ms: number): void {
    if (!this.#running) return;
    this.#timer = this.#options.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#renewOnce(NEVER).then((failure) => {
        // After a failed renewal try again sooner, so one lost reply does not cost the lease.
        this.#schedule(failure === null ? this.#options.lease.ttlMs / 3 : this.#options.lease.ttlMs / 10);
      });
    }, ms);
  }

  #stopRenewing(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function backoffMs(attempt: number): number {
  return Math.min(250 * 2 ** (attempt - 1), 5_000);
}

function abortedError(signal: AbortSignalLike): RollgateError {
  return new RollgateError(
    'ABORTED',
    'The watch was aborted; run it again with the same watch id to resume.',
    { component: 'controller', cause: signal.reason },
  );
}

const KEEPER = Symbol('rollgate.leaseKeeper');

/**
 * The signal of one leased watch run: it fires when the caller's signal fires or the lease is
 * lost, and it carries the {@link LeaseKeeper}, so every port call made under it gets the fence
 * (see {@link keeperOf}) without threading the lease through each function.
 */
export function leasedSignal(
  signal: AbortSignalLike,
  keeper: LeaseKeeper,
): AbortSignalLike & { dispose(): void } {
  return Object.assign(eitherSignal(signal, keeper.lostSignal), { [KEEPER]: keeper });
}

/** The lease keeper a signal from {@link leasedSignal} carries, if any. */
export function keeperOf(signal: AbortSignalLike): LeaseKeeper | undefined {
  return (signal as { [KEEPER]?: LeaseKeeper })[KEEPER];
}
