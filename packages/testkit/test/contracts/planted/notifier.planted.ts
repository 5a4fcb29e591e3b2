import type { Notifier } from '@rollgate/core';
import { createWebhookNotifier } from '@rollgate/core/node';
import { describeNotifierContract } from '../../../src';
import { startWebhookReceiver } from '../webhook-receiver';

// Run by ../planted-bugs.test.ts in a separate vitest process.
/** The planted bug: a failed delivery rejects instead of resolving to an error result. */
function throwing(inner: Notifier): Notifier {
  return {
    async notify(notification, ctx) {
      const result = await inner.notify(notification, ctx);
      if (!result.ok) throw result.error;
      return result;
    },
  };
}

describeNotifierContract('planted: a failed delivery throws', async () => {
  const receiver = await startWebhookReceiver();
  const make = (path: string) => createWebhookNotifier({ format: 'json', url: `${receiver.base}${path}` });
  return {
    notifier: make('/ok'),
    delivered: receiver.accepted,
    failing: throwing(make('/fail')),
    hanging: make('/hang'),
    secrets: [],
    now: () => Date.now(),
    teardown: () => receiver.close(),
  };
});
