import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/render-report';
import { HOSTILE, hostileRecord, rolledBackRecord } from '../support/audit-fixture';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../docs/images/report.png');

describe('the HTML report in a real headless Chromium', () => {
  let context: BrowserContext;
  let profile: string;
  let pages: string;
  const requests: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: the report test needs Debian's Chromium. Install it with \`sudo apt-get install -y chromium\` (CI images too); this test never skips.`,
      );
    }
    profile = await mkdtemp(join(tmpdir(), 'rollgate-chromium-'));
    pages = await mkdtemp(join(tmpdir(), 'rollgate-report-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
      viewport: { width: 1000, height: 1500 },
    });
    context.on('request', (request) => requests.push(request.url()));
    context.on('page', (page) => page.on('dialog', (dialog) => void dialogs.push(dialog.message())));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await Promise.all([profile, pages].filter(Boolean).map((d) => rm(d, { recursive: true, force: true })));
  });

  async function open(html: string, name: string) {
    const file = join(pages, name);
    await writeFile(file, html);
    const page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    requests.length = 0;
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, url: pathToFileURL(file).href };
  }

  it('renders one chart per signal and every timeline mark, loads nothing, and saves the screenshot', async () => {
    const record = rolledBackRecord();
    const { page, url } = await open(
      renderReport(record, {
        generatedAt: new Date('2025-05-01T12:05:00Z'),
        source: '.rollgate/audit.jsonl',
      }),
      'report.html',
    );

    const charts = page.locator('svg.signal-chart');
    await expect.poll(() => charts.count()).toBe(record.contract.signals.length);
    for (const [i, signal] of record.contract.signals.entries()) {
      const chart = charts.nth(i);
      expect(await chart.getAttribute('data-signal')).toBe(signal.id);
      const box = await chart.boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(box?.height).toBeGreaterThan(50);
      // The value line and the points were drawn with real geometry.
      const drawn = chart.locator('circle, polyline');
      expect(await drawn.count()).toBeGreaterThan(0);
      const first = await drawn.first().boundingBox();
      expect((first?.width ?? 0) + (first?.height ?? 0)).toBeGreaterThan(0);
    }
    for (const mark of ['deploy', 'breach-onset', 'confirmation', 'cutover', 'recovery', 'outcome']) {
      const g = page.locator(`svg.timeline [data-mark="${mark}"]`);
      expect(await g.count(), mark).toBe(1);
      const box = await g.boundingBox();
      expect(box?.width, mark).toBeGreaterThan(0);
      expect(box?.height, mark).toBeGreaterThan(0);
    }
    await expect.poll(() => page.locator('#phases tbody tr').count()).toBe(record.phases.length);
    expect(await page.locator('#breach').textContent()).toContain('7.44× the baseline');

    // The only request was the page itself: no font, image, stylesheet or beacon.
    expect(requests).toEqual([url]);
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(existsSync(SCREENSHOT)).toBe(true);
    await page.close();
  }, 60_000);

  it('shows hostile strings from the record as text: no script, no handler, no dialog', async () => {
    const { page, url } = await open(renderReport(hostileRecord()), 'hostile.html');
    // Evaluated in the page (a string, so this Node-typed file needs no DOM typings).
    const dom = await page.evaluate<{
      scripts: number;
      images: number;
      handlers: string[];
      text: string;
      title: string;
    }>(`({
      scripts: document.querySelectorAll('script').length,
      images: document.querySelectorAll('img').length,
      handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => a.name)),
      text: document.body.textContent ?? '',
      title: document.title,
    })`);
    expect(dom.scripts).toBe(0);
    expect(dom.images).toBe(0);
    expect(dom.handlers).toEqual([]);
    expect(dom.text).toContain(HOSTILE);
    expect(dom.title).toContain(HOSTILE.slice(0, 20));
    expect(await page.locator('svg.signal-chart').count()).toBe(1);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  }, 60_000);
});
