import { RollgateError } from '../errors/rollgate-error';
import { fail, ok, type Result } from '../ports/result';
import { parseRetryAfter } from './retry-after';

/** What the notifier knows about a webhook reply. `body` is already redacted and shortened. */
export interface WebhookReply {
  readonly status: number;
  readonly body: string;
  readonly retryAfter: string | null;
}

/** Redaction-safe facts for the message: which format, and the origin (never path or query). */
export interface WebhookTarget {
  readonly component: string;
  readonly format: string;
  readonly origin: string;
}

/**
 * Maps a webhook reply to a result: 2xx is delivered; 408, 429 and 5xx are retryable
 * `NOTIFY_FAILED` (with `retryAfterMs` from `Retry-After`); any other status, including a
 * redirect, is a `NOTIFY_FAILED` that retrying will not fix, with a hint for the status.
 */
export function classifyWebhookReply(reply: WebhookReply, target: WebhookTarget, now: number): Result<void> {
  const { status } = reply;
  if (status >= 200 && status < 300) return ok(undefined);
  const retryable = status === 408 || status === 429 || status >= 500;
  const retryAfterMs = retryable ? parseRetryAfter(reply.retryAfter, now) : undefined;
  const body = reply.body.length > 0 ? `: ${reply.body}` : '';
  const message = `The ${target.format} webhook at ${target.origin} answered HTTP ${status}${body}. ${hint(status)}`;
  return fail(
    new RollgateError('NOTIFY_FAILED', message, {
      component: target.component,
      retryable,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      details: { status, format: target.format, origin: target.origin },
    }),
  );
}

function hint(status: number): string {
  if (status >= 300 && status < 400)
    return 'It redirected, which the notifier does not follow: configure the final URL.';
  if (status === 401 || status === 403)
    return 'Check the webhook credentials (token, routing key or header).';
  if (status === 404 || status === 410) return 'Check the webhook URL: it may have been removed.';
  if (status === 429) return 'Rate limited: retry later.';
  if (status === 408 || status >= 500) return 'The receiver failed: retry later.';
  return 'The receiver refused the payload: check the format option.';
}
