import type { Notification, Notifier, PortContext } from '@rollgate/core';
import { RollgateError } from '@rollgate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// Adapters start processes and servers here: generous per-test limits, so a busy machine (CI at
// load 10 on 2 cores) slows the suite down without failing it. Outcomes are asserted, not times.
const TEST_TIMEOUT_MS = 30_000;

/** What an adapter's test provides so the shared suite can exercise it. */
export interface NotifierContractHarness {
  /** A notifier wired to a receiver that accepts every notification of kind `page`. */
  notifier: Notifier;
  /** How many notifications the receiver behind `notifier` has accepted so far. */
  delivered(): number | Promise<number>;
  /** The same adapter wired to a receiver that fails (a 5xx, a refused connection). */
  failing: Notifier;
  /** The same adapter wired to a receiver that accepts the request and never answers. */
  hanging: Notifier;
  /** The credentials the notifiers were configured with (tokens, routing keys, URL passwords). */
  secrets: readonly string[];
  /** Now, by the clock deadlines are compared with (epoch ms). */
  now(): number;
  teardown(): Promise<void>;
}

const NOTIFICATION: Notification = Object.freeze({
  kind: 'page',
  service: 'checkout',
  title: 'checkout: rolled back 42 -> 41, recovery not verified',
  summary: 'Error rate breached after the deploy; traffic is back on 41 but recovery was not verified.',
  watchId: 'checkout/42/contract-suite',
  outcome: 'escalated',
  fields: Object.freeze({ signal: 'error-rate', from: '42', to: '41', value: 0.2 }),
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * The suite every `Notifier` adapter runs: delivery, the result union (a failed delivery is an
 * error result, never a throw), abort and deadline honoured, no mutation of the notification, and
 * no configured secret in any error. `setup` is called before every test.
 */
export function describeNotifierContract(name: string, setup: () => Promise<NotifierContractHarness>): void {
  describe(`Notifier contract: ${name}`, () => {
    let h: NotifierContractHarness;
    const ctx = (ms = 10_000): PortContext => ({
      signal: new AbortController().signal,
      deadline: h.now() + ms,
    });
    const notification = (): Notification => deepFreeze(structuredClone(NOTIFICATION));

    function expectNoSecret(error: RollgateError): void {
      const text = `${error.message} ${JSON.stringify(error.details ?? {})}`;
      for (const secret of h.secrets) expect(text).not.toContain(secret);
    }

    beforeEach(async () => {
      h = await setup();
    }, TEST_TIMEOUT_MS);
    afterEach(async () => {
      await h.teardown();
    }, TEST_TIMEOUT_MS);

    it(
      'delivers a notification and resolves ok',
      async () => {
        const before = await h.delivered();
        const result = await h.notifier.notify(notification(), ctx());
        expect(result.ok).toBe(true);
        expect(await h.delivered()).toBe(before + 1);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'does not mutate the notification (it is frozen here)',
      async () => {
        const sent = notification();
        const copy = JSON.stringify(sent);
        const result = await h.notifier.notify(sent, ctx());
        expect(result.ok).toBe(true);
        expect(JSON.stringify(sent)).toBe(copy);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'resolves a failed delivery to an error result without secrets, instead of throwing',
      async () => {
        const result = await h.failing.notify(notification(), ctx());
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(RollgateError.is(result.error)).toBe(true);
        expect(typeof result.error.retryable).toBe('boolean');
        expectNoSecret(result.error);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'honours an already-aborted signal with ABORTED and sends nothing',
      async () => {
        const before = await h.delivered();
        const c = new AbortController();
        c.abort(new Error('caller gave up'));
        const result = await h.notifier.notify(notification(), {
          signal: c.signal,
          deadline: h.now() + 10_000,
        });
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.code).toBe('ABORTED');
        expect(await h.delivered()).toBe(before);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'honours an abort while the request is in flight with ABORTED',
      async () => {
        const c = new AbortController();
        const pending = h.hanging.notify(notification(), { signal: c.signal, deadline: h.now() + 60_000 });
        setTimeout(() => c.abort(new Error('caller gave up')), 50);
        const result = await pending;
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.code).toBe('ABORTED');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'honours the deadline with TIMEOUT, marked retryable',
      async () => {
        const result = await h.hanging.notify(notification(), ctx(300));
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error.code).toBe('TIMEOUT');
        expect(result.error.retryable).toBe(true);
        expectNoSecret(result.error);
      },
      TEST_TIMEOUT_MS,
    );
  });
}
