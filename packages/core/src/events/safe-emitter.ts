import { EventEmitter } from 'eventemitter3';

/** A map from event name to the listener's argument. */
export type EventMap = Record<string, unknown>;

type Listener<T> = (payload: T) => void;

/**
 * A typed event emitter whose listeners cannot break the emitter's owner: each listener is
 * wrapped when registered, so one that throws is isolated (the remaining listeners still run)
 * and reported to `onListenerError`, never to the evaluation or state machine that emitted.
 */
export class SafeEmitter<Events extends EventMap> {
  readonly #inner = new EventEmitter();
  readonly #wrapped = new WeakMap<Listener<never>, Listener<unknown>>();
  readonly #onListenerError: (error: unknown, event: string) => void;

  constructor(onListenerError: (error: unknown, event: string) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  #wrap<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): Listener<unknown> {
    const existing = this.#wrapped.get(listener as Listener<never>);
    if (existing) return existing;
    const wrapped: Listener<unknown> = (payload) => {
      try {
        listener(payload as Events[K]);
      } catch (error) {
        try {
          this.#onListenerError(error, event);
        } catch {
          // A failing error reporter must not break the loop either.
        }
      }
    };
    this.#wrapped.set(listener as Listener<never>, wrapped);
    return wrapped;
  }

  on<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this {
    this.#inner.on(event, this.#wrap(event, listener));
    return this;
  }

  once<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this {
    this.#inner.once(event, this.#wrap(event, listener));
    return this;
  }

  off<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this {
    const wrapped = this.#wrapped.get(listener as Listener<never>);
    if (wrapped) this.#inner.off(event, wrapped);
    return this;
  }

  /** Calls every listener of `event`; a throwing listener is reported and the rest still run. */
  emit<K extends keyof Events & string>(event: K, payload: Events[K]): void {
    this.#inner.emit(event, payload);
  }

  listenerCount<K extends keyof Events & string>(event: K): number {
    return this.#inner.listenerCount(event);
  }
}
