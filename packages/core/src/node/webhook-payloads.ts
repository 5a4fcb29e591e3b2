import type { Notification, NotificationKind } from '../ports/notifier';

/** The payload formats the webhook notifier can post. */
export type WebhookFormat = 'json' | 'slack' | 'pagerduty';

/** PagerDuty Events API v2 severities. */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** How urgent each notification kind is for PagerDuty. */
export const PAGERDUTY_SEVERITY: Readonly<Record<NotificationKind, PagerDutySeverity>> = {
  page: 'critical',
  incident: 'error',
  alert: 'warning',
  info: 'info',
};

const SLACK_LABEL: Readonly<Record<NotificationKind, string>> = {
  page: ':rotating_light: PAGE',
  incident: ':warning: INCIDENT',
  alert: ':rewind: ALERT',
  info: ':information_source: INFO',
};

// Slack Block Kit limits: header text 150, section text 3000, 10 fields of 2000 each.
const SLACK_HEADER_MAX = 150;
const SLACK_SECTION_MAX = 3000;
const SLACK_FIELDS_MAX = 10;
const SLACK_FIELD_MAX = 2000;
// PagerDuty Events v2 limits the summary to 1024 characters...
const PAGERDUTY_SUMMARY_MAX = 1024;
// ... and the dedup key to 255.
const PAGERDUTY_DEDUP_KEY_MAX = 255;

/** A Slack incoming-webhook payload: `text` is the fallback shown in notifications. */
export interface SlackPayload {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/** A PagerDuty Events API v2 `trigger` event. */
export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: 'trigger';
  readonly dedup_key: string;
  readonly payload: {
    readonly summary: string;
    readonly source: string;
    readonly severity: PagerDutySeverity;
    readonly timestamp: string;
    readonly component: string;
    readonly custom_details: {
      readonly kind: NotificationKind;
      readonly outcome: string | null;
      readonly watchId: string;
      readonly summary: string;
      readonly fields: Notification['fields'];
    };
  };
}

/**
 * A Slack-compatible `{ text, blocks }` payload: a header with the title, the summary, up to ten
 * fields, and a context line (kind, service, watch, outcome). Text is escaped for mrkdwn and cut
 * to Slack's block limits.
 */
export function slackPayload(notification: Notification): SlackPayload {
  const entries = Object.entries(notification.fields);
  const shown = entries.slice(0, SLACK_FIELDS_MAX);
  const context = [
    `*${notification.kind}*`,
    `service *${escapeMrkdwn(notification.service)}*`,
    `watch \`${escapeMrkdwn(notification.watchId)}\``,
    ...(notification.outcome === undefined ? [] : [`outcome *${escapeMrkdwn(notification.outcome)}*`]),
    ...(entries.length > shown.length
      ? [`${entries.length - shown.length} more field(s) in the audit record`]
      : []),
  ].join(' · ');
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: cut(notification.title, SLACK_HEADER_MAX), emoji: true },
    },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: cut(escapeMrkdwn(notification.summary), SLACK_SECTION_MAX) },
    },
  ];
  if (shown.length > 0) {
    blocks.push({
      type: 'section',
      fields: shown.map(([key, value]) => ({
        type: 'mrkdwn',
        text: cut(`*${escapeMrkdwn(key)}*\n${escapeMrkdwn(formatValue(value))}`, SLACK_FIELD_MAX),
      })),
    });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context }] });
  return { text: `${SLACK_LABEL[notification.kind]} ${escapeMrkdwn(notification.title)}`, blocks };
}

/**
 * A PagerDuty Events API v2 `trigger` event. `dedup_key` is the watch id, so every notification
 * of one watch lands on the same alert; the severity follows the notification kind.
 */
export function pagerDutyEvent(
  notification: Notification,
  options: { readonly routingKey: string; readonly source: string; readonly now: number },
): PagerDutyEvent {
  return {
    routing_key: options.routingKey,
    event_action: 'trigger',
    dedup_key: notification.watchId.slice(0, PAGERDUTY_DEDUP_KEY_MAX),
    payload: {
      summary: cut(notification.title, PAGERDUTY_SUMMARY_MAX),
      source: options.source,
      severity: PAGERDUTY_SEVERITY[notification.kind],
      timestamp: new Date(options.now).toISOString(),
      component: notification.service,
      custom_details: {
        kind: notification.kind,
        outcome: notification.outcome ?? null,
        watchId: notification.watchId,
        summary: notification.summary,
        fields: notification.fields,
      },
    },
  };
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function formatValue(value: string | number | boolean | null): string {
  return value === null ? '-' : String(value);
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
