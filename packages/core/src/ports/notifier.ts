import type { PortContext } from './abort';
import type { Result } from './result';

/**
 * How urgent a notification is: `page` wakes a human (escalation, halt), `incident` routes a
 * pre-existing problem to the incident process, `alert` needs attention soon (rolled back),
 * `info` is for the record (promoted).
 */
export type NotificationKind = 'page' | 'incident' | 'alert' | 'info';

/** A secret-free notification carrying the audit summary. */
export interface Notification {
  readonly kind: NotificationKind;
  readonly service: string;
  /** One line, e.g. "checkout: rolled back 42@ab12 -> 41@9f3c". */
  readonly title: string;
  /** A few lines for the human: what happened, what Rollgate did, what is left to do. */
  readonly summary: string;
  readonly watchId: string;
  readonly outcome?: string;
  /** Flat facts (signal, value, threshold, artifact ids) for routing rules and templates. */
  readonly fields: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * Sends notifications (a webhook, Slack, PagerDuty). MUST NOT throw: resolves to a
 * {@link Result}. A failed notification is recorded in the audit and never changes a decision.
 */
export interface Notifier {
  notify(notification: Notification, ctx: PortContext): Promise<Result<void>>;
}
