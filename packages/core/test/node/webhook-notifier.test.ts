import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import { createWebhookNotifier, type WebhookNotifierOptions } from '../../src/node/webhook-notifier';
import type { Notification, NotificationKind } from '../../src/ports/notifier';
import type { Result } from '../../src/ports/result';
import { SimulatedClock } from '../../src/testing/simulated-clock';
import { abortedContext, liveContext } from '../testing/fixtures/port-context';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';
const HEADER_TOKEN = 'Bearer tok_SUPERSECRET_42';
const PATH_TOKEN = 'T000/B000/XXXXhooksecretXXXX';
const QUERY_TOKEN = 'qtok-5ecret-value';
const PASSWORD = 'p4ss-w0rd-secret';
const SECRETS = [
  ROUTING_KEY,
  HEADER_TOKEN,
  'tok_SUPERSECRET_42',
  PATH_TOKEN,
  'XXXXhooksecretXXXX',
  QUERY_TOKEN,
  PASSWORD,
];

const notification: Notification = {
  kind: 'alert',
  service: 'checkout',
  title: 'checkout: rolled back 42@ab12 -> 41@9f3c',
  summary:
    'Error rate rose to 3.1% (baseline 0.5%) after 42@ab12.\nRolled back to 41@9f3c; recovery verified in 120 s.',
  watchId: 'watch-2025-03-01-checkout-42',
  outcome: 'rolled-back',
  fields: {
    signal: 'errors',
    value: 0.031,
    threshold: 0.005,
    failed: '42@ab12',
    restored: '41@9f3c',
    dryRun: false,
    segment: null,
  },
};

/** Everything a RollgateError can show: message, JSON form, details and its cause chain. */
function exposed(error: RollgateError): string {
  const parts = [error.message, JSON.stringify(error.toJSON()), JSON.stringify(error.details)];
  let cause: unknown = error.cause;
  for (let i = 0; i < 5 && cause !== undefined; i++) {
    parts.push(String(cause), cause instanceof Error ? (cause.stack ?? '') : JSON.stringify(cause));
    cause = (cause as { cause?: unknown } | null)?.cause;
  }
  return parts.join('\n');
}

function errorOf(result: Result<void>): RollgateError {
  if (result.ok) throw new Error('expected a failure');
  return result.error;
}

describe('createWebhookNotifier against a real HTTP server', () => {
  let server: Server;
  let base: string;
  let received: Received[];
  let reply: (req: IncomingMessage, res: ServerResponse, body: string) => void;
  const clock = new SimulatedClock(Date.parse('2025-03-01T10:09:00.000Z'));
  const ctx = () => liveContext(clock.now());

  beforeEach(async () => {
    received = [];
    reply = (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        reply(req, res, body);
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  const make = (options: Partial<WebhookNotifierOptions> & Pick<WebhookNotifierOptions, 'format'>) =>
    createWebhookNotifier({ url: `${base}/hook`, clock, ...options });

  it('json: posts the Notification as is, with custom headers and URL credentials as basic auth', async () => {
    const notifier = make({
      format: 'json',
      url: `http://rollgate:${PASSWORD}@127.0.0.1:${(server.address() as AddressInfo).port}/hooks/${PATH_TOKEN}?token=${QUERY_TOKEN}`,
      headers: { authorization: HEADER_TOKEN, 'x-team': 'payments' },
    });
    const result = await notifier.notify(notification, ctx());
    expect(result).toEqual({ ok: true, value: undefined });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`/hooks/${PATH_TOKEN}?token=${QUERY_TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.authorization).toBe(HEADER_TOKEN);
    expect(request?.headers['x-team']).toBe('payments');
    expect(JSON.parse(request?.body ?? '')).toEqual(notification);

    const basic = make({
      format: 'json',
      url: `http://rollgate:${PASSWORD}@127.0.0.1:${(server.address() as AddressInfo).port}/b`,
    });
    await basic.notify(notification, ctx());
    expect(received[1]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`rollgate:${PASSWORD}`).toString('base64')}`,
    );
  });

  it('slack: posts a Slack-compatible { text, blocks } payload', async () => {
    await make({ format: 'slack' }).notify({ ...notification, summary: 'a <b> & c' }, ctx());
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({
      text: ':rewind: ALERT checkout: rolled back 42@ab12 -&gt; 41@9f3c',
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: 'checkout: rolled back 42@ab12 -> 41@9f3c', emoji: true },
        },
        { type: 'section', text: { type: 'mrkdwn', text: 'a &lt;b&gt; &amp; c' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*signal*\nerrors' },
            { type: 'mrkdwn', text: '*value*\n0.031' },
            { type: 'mrkdwn', text: '*threshold*\n0.005' },
            { type: 'mrkdwn', text: '*failed*\n42@ab12' },
            { type: 'mrkdwn', text: '*restored*\n41@9f3c' },
            { type: 'mrkdwn', text: '*dryRun*\nfalse' },
            { type: 'mrkdwn', text: '*segment*\n-' },
          ],
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: '*alert* · service *checkout* · watch `watch-2025-03-01-checkout-42` · outcome *rolled-back*',
            },
          ],
        },
      ],
    });
  });

  it('slack: keeps to Block Kit limits (header 150, ten fields)', async () => {
    const fields = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`f${i}`, i]));
    await make({ format: 'slack' }).notify({ ...notification, title: 't'.repeat(400), fields }, ctx());
    const body = JSON.parse(received[0]?.body ?? '');
    expect(body.blocks[0].text.text).toHaveLength(150);
    expect(body.blocks[2].fields).toHaveLength(10);
    expect(body.blocks[3].elements[0].text).toContain('4 more field(s)');
  });

  it('pagerduty: posts an Events API v2 trigger with dedup_key = watchId and severity by kind', async () => {
    const notifier = make({ format: 'pagerduty', routingKey: ROUTING_KEY });
    const severities: Record<NotificationKind, string> = {
      page: 'critical',
      incident: 'error',
      alert: 'warning',
      info: 'info',
    };
    for (const kind of Object.keys(severities) as NotificationKind[]) {
      expect((await notifier.notify({ ...notification, kind }, ctx())).ok).toBe(true);
    }
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'watch-2025-03-01-checkout-42',
      payload: {
        summary: 'checkout: rolled back 42@ab12 -> 41@9f3c',
        source: 'checkout',
        severity: 'critical',
        timestamp: '2025-03-01T10:09:00.000Z',
        component: 'checkout',
        custom_details: {
          kind: 'page',
          outcome: 'rolled-back',
          watchId: 'watch-2025-03-01-checkout-42',
          summary: notification.summary,
          fields: notification.fields,
        },
      },
    });
    expect(received.map((r) => JSON.parse(r.body).payload.severity)).toEqual(Object.values(severities));
    const sourced = make({ format: 'pagerduty', routingKey: ROUTING_KEY, source: 'rollgate.prod-eu' });
    await sourced.notify(notification, ctx());
    expect(JSON.parse(received[4]?.body ?? '').payload.source).toBe('rollgate.prod-eu');
  });

  it('only sends the kinds it is configured for', async () => {
    const notifier = make({ format: 'pagerduty', routingKey: ROUTING_KEY, kinds: ['page', 'incident'] });
    expect((await notifier.notify({ ...notification, kind: 'info' }, ctx())).ok).toBe(true);
    expect(received).toHaveLength(0);
    await notifier.notify({ ...notification, kind: 'page' }, ctx());
    expect(received).toHaveLength(1);
  });

  it('a 500 reply is a retryable NOTIFY_FAILED that shows no secret, even when the body echoes them', async () => {
    reply = (_req, res, body) =>
      res.writeHead(500).end(`internal error while handling ${body} with ${HEADER_TOKEN}`);
    const notifier = make({
      format: 'pagerduty',
      routingKey: ROUTING_KEY,
      url: `http://rollgate:${PASSWORD}@127.0.0.1:${(server.address() as AddressInfo).port}/hooks/${PATH_TOKEN}?token=${QUERY_TOKEN}`,
      headers: { authorization: HEADER_TOKEN },
    });
    const error = errorOf(await notifier.notify(notification, ctx()));
    expect(error.code).toBe('NOTIFY_FAILED');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/pagerduty webhook at http:\/\/127\.0\.0\.1:\d+ answered HTTP 500/);
    expect(error.message).toContain('[redacted]');
    expect(error.details.status).toBe(500);
    for (const secret of SECRETS) expect(exposed(error)).not.toContain(secret);
  });

  it('429 is retryable with Retry-After; 400 and 404 are not; a redirect is not followed', async () => {
    reply = (_req, res) => res.writeHead(429, { 'retry-after': '7' }).end('slow down');
    const limited = errorOf(await make({ format: 'json' }).notify(notification, ctx()));
    expect([limited.code, limited.retryable, limited.retryAfterMs]).toEqual(['NOTIFY_FAILED', true, 7000]);

    reply = (_req, res) => res.writeHead(400).end('invalid_payload');
    const refused = errorOf(await make({ format: 'slack' }).notify(notification, ctx()));
    expect([refused.code, refused.retryable]).toEqual(['NOTIFY_FAILED', false]);
    expect(refused.message).toContain('invalid_payload');

    reply = (_req, res) => res.writeHead(404).end();
    expect(errorOf(await make({ format: 'json' }).notify(notification, ctx())).message).toMatch(
      /check the webhook URL/i,
    );

    reply = (req, res) =>
      req.url === '/hook' ? res.writeHead(302, { location: '/elsewhere' }).end() : res.writeHead(200).end();
    const redirected = errorOf(await make({ format: 'json' }).notify(notification, ctx()));
    expect([redirected.code, redirected.retryable]).toEqual(['NOTIFY_FAILED', false]);
    expect(received.map((r) => r.url).filter((u) => u === '/elsewhere')).toEqual([]);
  });

  it('a hanging server times out at ctx.deadline with a retryable TIMEOUT', async () => {
    reply = () => {}; // never answers
    const real = {
      now: () => Date.now(),
      setTimeout: globalThis.setTimeout,
      clearTimeout: globalThis.clearTimeout,
    };
    const notifier = createWebhookNotifier({
      url: `${base}/hook`,
      format: 'json',
      clock: real,
      timeoutMs: 60_000,
    });
    const started = Date.now();
    const error = errorOf(
      await notifier.notify(notification, {
        signal: new AbortController().signal,
        deadline: Date.now() + 300,
      }),
    );
    const elapsed = Date.now() - started;
    expect([error.code, error.retryable]).toEqual(['TIMEOUT', true]);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3_000);

    const byOption = createWebhookNotifier({
      url: `${base}/hook`,
      format: 'json',
      clock: real,
      timeoutMs: 200,
    });
    expect(
      errorOf(
        await byOption.notify(notification, {
          signal: new AbortController().signal,
          deadline: Date.now() + 60_000,
        }),
      ).code,
    ).toBe('TIMEOUT');
    const passed = errorOf(
      await byOption.notify(notification, { signal: new AbortController().signal, deadline: Date.now() - 1 }),
    );
    expect(passed.code).toBe('TIMEOUT');
  });

  it('honours ctx.signal: before the request and while it hangs', async () => {
    reply = () => {};
    const notifier = make({ format: 'json' });
    expect(errorOf(await notifier.notify(notification, abortedContext(clock.now()))).code).toBe('ABORTED');
    expect(received).toHaveLength(0);
    const controller = new AbortController();
    const pending = notifier.notify(notification, {
      signal: controller.signal,
      deadline: clock.now() + 60_000,
    });
    while (received.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const error = errorOf(await pending);
    expect([error.code, error.retryable]).toEqual(['ABORTED', false]);
  });

  it('an unreachable receiver is a retryable NOTIFY_FAILED without secrets', async () => {
    const port = (server.address() as AddressInfo).port;
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    server = createServer().listen(0, '127.0.0.1');
    const notifier = createWebhookNotifier({
      url: `http://rollgate:${PASSWORD}@127.0.0.1:${port}/hooks/${PATH_TOKEN}?token=${QUERY_TOKEN}`,
      format: 'pagerduty',
      routingKey: ROUTING_KEY,
      headers: { authorization: HEADER_TOKEN },
      clock,
    });
    const error = errorOf(await notifier.notify(notification, ctx()));
    expect([error.code, error.retryable]).toEqual(['NOTIFY_FAILED', true]);
    expect(error.message).toContain('ECONNREFUSED');
    for (const secret of SECRETS) expect(exposed(error)).not.toContain(secret);
  });

  it('refuses bad options with CONFIG_INVALID, never quoting the URL, key or header values', () => {
    const attempts: [Partial<WebhookNotifierOptions>, RegExp][] = [
      [{ url: `not a url ${PATH_TOKEN}`, format: 'json' }, /url/],
      [{ url: `ftp://host/${PATH_TOKEN}`, format: 'json' }, /http or https/],
      [{ format: 'pagerduty' }, /routingKey/],
      [{ format: 'teams' as never }, /format/],
      [
        { format: 'json', headers: { authorization: `${HEADER_TOKEN}\r\nx-evil: 1` } },
        /headers\.authorization/,
      ],
      [{ format: 'json', headers: { 'bad header': HEADER_TOKEN } }, /header name/],
      [{ format: 'json', timeoutMs: 0 }, /timeoutMs/],
      [{ format: 'json', kinds: ['pager' as never] }, /kinds/],
    ];
    for (const [options, message] of attempts) {
      let caught: unknown;
      try {
        createWebhookNotifier({ url: `${base}/hook`, ...options } as WebhookNotifierOptions);
      } catch (error) {
        caught = error;
      }
      expect(RollgateError.is(caught)).toBe(true);
      if (!RollgateError.is(caught)) continue;
      expect(caught.code).toBe('CONFIG_INVALID');
      expect(caught.message).toMatch(message);
      for (const secret of SECRETS) expect(exposed(caught)).not.toContain(secret);
    }
  });
});
