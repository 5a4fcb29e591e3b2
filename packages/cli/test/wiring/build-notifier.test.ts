import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Notification } from '@rollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config';
import { buildNotifier } from '../../src/wiring/build-notifier';
import { useTempDirs } from '../support/temp-dir';

/**
 * Issue 18, finding 8: "2 of 3 notification(s) failed" counted a PagerDuty entry whose `kinds`
 * filtered the notification out. Only the webhooks that were asked count.
 */

const alert: Notification = {
  kind: 'alert',
  service: 'checkout',
  title: 'checkout: rolled back 42@ab12 -> 41@9f3c',
  summary: 'rolled back',
  watchId: 'w-1',
  outcome: 'rolled-back',
  fields: {},
};

describe('the notifier of every configured webhook', () => {
  const tempDir = useTempDirs();
  let server: Server;
  let base: string;
  const hits: string[] = [];

  beforeAll(async () => {
    // Every webhook here fails: 500.
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(500).end('down'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('counts only the webhooks a notification was sent to', async () => {
    const dir = await tempDir();
    const file = join(dir, 'rollgate.yaml');
    await writeFile(
      file,
      `service: checkout
sources:
  default: { type: prometheus, url: "http://127.0.0.1:9" }
executor: { type: deployer, deployPath: ${dir} }
notify:
  - { type: json, url: "${base}/json" }
  - { type: slack, url: "${base}/slack" }
  - { type: pagerduty, url: "${base}/pagerduty", routingKey: "R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y12", kinds: [page] }
`,
    );
    const notifier = buildNotifier(await loadConfig(file, {}));
    const result = await notifier.notify(alert, {
      signal: new AbortController().signal,
      deadline: Date.now() + 10_000,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('NOTIFY_FAILED');
    expect(result.error.message).toMatch(/^2 of 2 notification\(s\) failed: /);
    expect(result.error.message).not.toContain('pagerduty');
    expect(hits.sort()).toEqual(['/json', '/slack']);

    hits.length = 0;
    const paged = await notifier.notify(
      { ...alert, kind: 'page' },
      {
        signal: new AbortController().signal,
        deadline: Date.now() + 10_000,
      },
    );
    expect(!paged.ok && paged.error.message).toMatch(/^3 of 3 notification\(s\) failed: /);
  });
});
