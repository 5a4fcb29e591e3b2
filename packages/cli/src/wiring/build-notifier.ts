import { basename } from 'node:path';
import { fail, type Notifier, ok, RollgateError } from '@rollgate/core';
import { createWebhookNotifier, PAGERDUTY_EVENTS_URL } from '@rollgate/core/node';
import type { NotifyConfig } from '../config/config-schema';
import { dropUndefined } from '../config/drop-undefined';
import type { LoadedConfig } from '../config/load-config';
import { withConfigField } from './config-failure';

/**
 * One Notifier for every configured webhook: each notification goes to every webhook whose
 * `kinds` take it, in parallel; the result fails (naming which ones) only when at least one failed, and a failed
 * notification never changes a decision. No webhooks: notifications are only recorded in the audit.
 */
export function buildNotifier(loaded: LoadedConfig): Notifier {
  const file = basename(loaded.file);
  const targets = loaded.config.notify.map((entry, i) => ({
    label: `notify[${i}] (${entry.type})`,
    /** The kinds this webhook takes (all when unset); it is not asked about the others. */
    kinds: entry.kinds ?? null,
    notifier: withConfigField(file, `notify[${i}]`, () => buildWebhook(entry)),
  }));
  return {
    async notify(notification, ctx) {
      // Only the webhooks that take this kind are asked, and only they count ("2 of 2 failed").
      const asked = targets.filter((t) => t.kinds === null || t.kinds.includes(notification.kind));
      const results = await Promise.all(asked.map((t) => t.notifier.notify(notification, ctx)));
      const failed = results.flatMap((r, i) =>
        r.ok ? [] : [`${asked[i]?.label}: ${r.error.code}: ${r.error.message}`],
      );
      if (failed.length === 0) return ok(undefined);
      return fail(
        new RollgateError(
          'NOTIFY_FAILED',
          `${failed.length} of ${asked.length} notification(s) failed: ${failed.join('; ')}`,
          {
            component: 'cli-notify',
            retryable: results.some((r) => !r.ok && r.error.retryable),
          },
        ),
      );
    },
  };
}

/** The webhook notifier of one `notify` entry; its factory validates the options. */
export function buildWebhook(entry: NotifyConfig): Notifier {
  switch (entry.type) {
    case 'json':
      return createWebhookNotifier(
        dropUndefined({
          format: 'json' as const,
          url: entry.url,
          headers: entry.headers,
          kinds: entry.kinds,
          timeoutMs: entry.timeoutMs,
        }),
      );
    case 'slack':
      return createWebhookNotifier(
        dropUndefined({
          format: 'slack' as const,
          url: entry.url,
          kinds: entry.kinds,
          timeoutMs: entry.timeoutMs,
        }),
      );
    case 'pagerduty':
      return createWebhookNotifier(
        dropUndefined({
          format: 'pagerduty' as const,
          url: entry.url ?? PAGERDUTY_EVENTS_URL,
          routingKey: entry.routingKey,
          source: entry.source,
          kinds: entry.kinds,
          timeoutMs: entry.timeoutMs,
        }),
      );
  }
}
