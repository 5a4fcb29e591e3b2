import { createWebhookNotifier } from '@rollgate/core/node';
import { describeNotifierContract } from '../../src';
import { startWebhookReceiver } from './webhook-receiver';

// Core's webhook notifier (core cannot depend on testkit, so its contract run lives here).
const TOKEN = 'tok_contract_SECRET_7';

describeNotifierContract('webhook notifier (json, real HTTP on loopback)', async () => {
  const receiver = await startWebhookReceiver();
  const make = (path: string) =>
    createWebhookNotifier({
      format: 'json',
      url: `${receiver.base}${path}`,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
  return {
    notifier: make('/ok'),
    delivered: receiver.accepted,
    failing: make('/fail'),
    hanging: make('/hang'),
    secrets: [TOKEN],
    now: () => Date.now(),
    teardown: () => receiver.close(),
  };
});
