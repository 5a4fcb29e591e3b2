import { Buffer } from 'node:buffer';
import { RollgateError } from '../errors/rollgate-error';
import type { Notification, NotificationKind, Notifier } from '../ports/notifier';
import { fail, ok, type Result } from '../ports/result';
import type { Clock } from '../time/clock';
import { portSignal } from './port-signal';
import { createSecretRedactor, urlSecrets } from './secret-redactor';
import { systemClock } from './system-clock';
import { classifyWebhookReply, type WebhookTarget } from './webhook-classify';
import { pagerDutyEvent, slackPayload, type WebhookFormat } from './webhook-payloads';

const COMPONENT = 'webhook-notifier';
const DEFAULT_TIMEOUT_MS = 10_000;
const BODY_SNIPPET_MAX = 300;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const KINDS: readonly NotificationKind[] = ['page', 'incident', 'alert', 'info'];

/** The PagerDuty Events API v2 endpoint. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** Options for {@link createWebhookNotifier}. */
export interface WebhookNotifierOptions {
  /**
   * Where to POST (http or https). Credentials in the URL (`https://user:pass@host`) are sent as
   * basic auth. For PagerDuty use {@link PAGERDUTY_EVENTS_URL}.
   */
  readonly url: string;
  /** `json`: the Notification as is; `slack`: `{ text, blocks }`; `pagerduty`: an Events v2 trigger. */
  readonly format: WebhookFormat;
  /** PagerDuty integration (routing) key; required for `pagerduty`. */
  readonly routingKey?: string;
  /** Extra request headers (an `Authorization` token). Their values never appear in errors. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Longest time one POST may take. Default 10 000 ms; `ctx.deadline` can shorten it. */
  readonly timeoutMs?: number;
  /** The controller's clock, against which `ctx.deadline` is compared. Default `systemClock`. */
  readonly clock?: Clock;
  /** PagerDuty `payload.source`. Default: the notification's service. */
  readonly source?: string;
  /** Kinds to send; others resolve `ok` without a request (e.g. `['page', 'incident']` for PagerDuty). Default: all. */
  readonly kinds?: readonly NotificationKind[];
}

/**
 * A {@link Notifier} that POSTs each notification to a webhook with node's fetch: the generic
 * JSON form, a Slack-compatible payload, or a PagerDuty Events API v2 event. It honours
 * `ctx.signal` (`ABORTED`) and `ctx.deadline` (`TIMEOUT`, retryable); a non-2xx reply is a
 * `NOTIFY_FAILED` result, retryable for 408, 429 and 5xx. It never retries itself and never
 * follows redirects. The routing key, header values and the URL's path, query and credentials
 * never appear in an error: errors name the format and the URL's origin only.
 *
 * @throws RollgateError `CONFIG_INVALID` for a bad URL, format, header, timeout or a missing
 *   PagerDuty routing key.
 */
export function createWebhookNotifier(options: WebhookNotifierOptions): Notifier {
  const config = resolveOptions(options);
  const { target, endpoint, headers, redact, clock, timeoutMs } = config;

  const body = (notification: Notification): string => {
    switch (options.format) {
      case 'json':
        return JSON.stringify(notification);
      case 'slack':
        return JSON.stringify(slackPayload(notification));
      case 'pagerduty':
        return JSON.stringify(
          pagerDutyEvent(notification, {
            routingKey: config.routingKey,
            source: options.source ?? notification.service,
            now: clock.now(),
          }),
        );
    }
  };

  return {
    async notify(notification, ctx): Promise<Result<void>> {
      if (ctx.signal.aborted) return fail(abortedError(target));
      if (!config.kinds.has(notification.kind)) return ok(undefined);
      const remaining = Math.min(timeoutMs, ctx.deadline - clock.now());
      if (!(remaining > 0)) return fail(timeoutError(target));

      let payload: string;
      try {
        payload = body(notification);
      } catch (error) {
        return fail(
          new RollgateError(
            'NOTIFY_FAILED',
            `Could not encode the notification for the ${target.format} webhook: ${redact(messageOf(error))}`,
            {
              component: COMPONENT,
            },
          ),
        );
      }

      // Real timers: the webhook timeout holds in real time even under a simulated clock.
      const link = portSignal(ctx, clock, { limitMs: timeoutMs, timers: systemClock });
      try {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers,
          body: payload,
          redirect: 'manual',
          signal: link.signal,
        });
        const text = await response.text().catch(() => '');
        const snippet = redact(text.replace(/\s+/g, ' ').trim()).slice(0, BODY_SNIPPET_MAX);
        return classifyWebhookReply(
          { status: response.status, body: snippet, retryAfter: response.headers.get('retry-after') },
          target,
          clock.now(),
        );
      } catch (error) {
        const cut = link.reason();
        if (cut === 'deadline' || cut === 'limit') return fail(timeoutError(target));
        if (ctx.signal.aborted) return fail(abortedError(target));
        const code = networkCode(error);
        return fail(
          new RollgateError(
            'NOTIFY_FAILED',
            `Could not reach the ${target.format} webhook at ${target.origin} (${code}); check the URL and the network, then retry.`,
            {
              component: COMPONENT,
              retryable: true,
              details: { format: target.format, origin: target.origin, reason: code },
            },
          ),
        );
      } finally {
        link.dispose();
      }
    },
  };
}

interface ResolvedOptions {
  readonly target: WebhookTarget;
  readonly endpoint: string;
  readonly headers: Headers;
  readonly routingKey: string;
  readonly redact: (text: string) => string;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly kinds: ReadonlySet<NotificationKind>;
}

function resolveOptions(options: WebhookNotifierOptions): ResolvedOptions {
  if (options.format !== 'json' && options.format !== 'slack' && options.format !== 'pagerduty') {
    throw configError(
      `format: must be "json", "slack" or "pagerduty" (got ${JSON.stringify(String(options.format))}).`,
    );
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    // The URL itself may be a secret (a Slack webhook): never quote it.
    throw configError(
      'url: not a valid absolute URL; give the full webhook URL, e.g. https://hooks.example.com/rollgate.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw configError(`url: must be http or https (got ${url.protocol}).`);
  }
  const secrets = urlSecrets(url);
  const headers = new Headers({
    'content-type': 'application/json',
    'user-agent': 'rollgate-webhook-notifier',
  });
  if (url.username !== '' || url.password !== '') {
    let user: string;
    let password: string;
    try {
      user = decodeURIComponent(url.username);
      password = decodeURIComponent(url.password);
    } catch {
      throw configError('url: the credentials in the URL are not valid percent-encoding (not shown).');
    }
    const basic = Buffer.from(`${user}:${password}`).toString('base64');
    headers.set('authorization', `Basic ${basic}`);
    secrets.push(basic);
    url.username = '';
    url.password = '';
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (!HEADER_NAME.test(name))
      throw configError(`headers: ${JSON.stringify(name)} is not a valid header name.`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
    if (typeof value !== 'string' || /[\u0000\r\n]/.test(value)) {
      throw configError(`headers.${name}: the value must be a string without line breaks (value not shown).`);
    }
    headers.set(name, value);
    secrets.push(value, value.replace(/^(Bearer|Basic|Token)\s+/i, ''));
  }
  let routingKey = '';
  if (options.format === 'pagerduty') {
    if (typeof options.routingKey !== 'string' || options.routingKey.trim() === '') {
      throw configError(
        'routingKey: the pagerduty format needs the integration key of a PagerDuty Events v2 integration.',
      );
    }
    routingKey = options.routingKey;
    secrets.push(routingKey);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw configError(`timeoutMs: must be a positive number of milliseconds (got ${timeoutMs}).`);
  }
  const kinds = options.kinds ?? KINDS;
  const unknown = kinds.filter((k) => !KINDS.includes(k));
  if (unknown.length > 0)
    throw configError(`kinds: unknown kind(s) ${unknown.join(', ')}; use ${KINDS.join(', ')}.`);
  return {
    target: { component: COMPONENT, format: options.format, origin: url.origin },
    endpoint: url.href,
    headers,
    routingKey,
    redact: createSecretRedactor(secrets),
    clock: options.clock ?? systemClock,
    timeoutMs,
    kinds: new Set(kinds),
  };
}

/** The low-level reason fetch failed (ECONNREFUSED, ENOTFOUND, ...), never its message. */
function networkCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return 'network error';
}

function abortedError(target: WebhookTarget): RollgateError {
  return new RollgateError('ABORTED', `The ${target.format} notification was aborted by the caller.`, {
    component: COMPONENT,
  });
}

function timeoutError(target: WebhookTarget): RollgateError {
  return new RollgateError(
    'TIMEOUT',
    `The ${target.format} webhook at ${target.origin} did not answer before the deadline; retry later.`,
    { component: COMPONENT, retryable: true, details: { format: target.format, origin: target.origin } },
  );
}

function configError(message: string): RollgateError {
  return new RollgateError('CONFIG_INVALID', message, { component: COMPONENT });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
