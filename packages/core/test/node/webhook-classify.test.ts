import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/node/retry-after';
import { classifyWebhookReply } from '../../src/node/webhook-classify';

const target = { component: 'webhook-notifier', format: 'slack', origin: 'https://hooks.slack.com' };
const NOW = Date.parse('2025-03-01T10:00:00.000Z');

describe('classifyWebhookReply', () => {
  const table: readonly [number, 'ok' | 'retryable' | 'final'][] = [
    [200, 'ok'],
    [202, 'ok'],
    [204, 'ok'],
    [301, 'final'],
    [400, 'final'],
    [401, 'final'],
    [403, 'final'],
    [404, 'final'],
    [408, 'retryable'],
    [410, 'final'],
    [422, 'final'],
    [429, 'retryable'],
    [500, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [504, 'retryable'],
  ];
  for (const [status, expected] of table) {
    it(`HTTP ${status} is ${expected}`, () => {
      const result = classifyWebhookReply({ status, body: '', retryAfter: null }, target, NOW);
      if (expected === 'ok') {
        expect(result.ok).toBe(true);
        return;
      }
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe('NOTIFY_FAILED');
      expect(result.error.retryable).toBe(expected === 'retryable');
      expect(result.error.message).toContain(
        `slack webhook at https://hooks.slack.com answered HTTP ${status}`,
      );
      expect(result.error.details).toEqual({ status, format: 'slack', origin: 'https://hooks.slack.com' });
    });
  }

  it('reads Retry-After as seconds or an HTTP date, only for retryable replies', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter('Sat, 01 Mar 2025 10:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Sat, 01 Mar 2025 09:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    const limited = classifyWebhookReply({ status: 503, body: 'busy', retryAfter: '3' }, target, NOW);
    expect(!limited.ok && limited.error.retryAfterMs).toBe(3000);
    const refused = classifyWebhookReply({ status: 400, body: 'no_text', retryAfter: '3' }, target, NOW);
    expect(!refused.ok && refused.error.retryAfterMs).toBeUndefined();
    expect(!refused.ok && refused.error.message).toContain(': no_text.');
  });
});
