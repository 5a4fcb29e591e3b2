import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/render-report';
import { HOSTILE, hostileRecord, rolledBackRecord, spikeRecord } from '../support/audit-fixture';

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
const IMAGES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../docs/images');
const SCREENSHOT = join(IMAGES, 'report.png');
const SPIKE_SCREENSHOT = join(IMAGES, 'report-spike.png');

/** What the Chromium test measures in a rendered report (boxes in CSS pixels). */
interface Picture {
  /** Per chart: the extent of the pre-deploy series. */
  readonly before: Record<string, { right: number; width: number }>;
  /** Per chart: the x of its deploy line. */
  readonly deployX: Record<string, number>;
  /** Labels whose boxes overlap, as "svg: a / b". */
  readonly overlaps: string[];
  /** Points not fully inside a plot frame. */
  readonly clipped: string[];
  /** Signal names broken over two lines. */
  readonly wrappedSignals: string[];
  readonly thresholdLabels: string[];
  readonly headline: { text: string; lines: number };
  readonly charts: Record<
    string,
    {
      scale: string;
      /** Heights as a share of the plot, 0 at its bottom and 1 at its top. */
      verifyLowest: number;
      beforeLowest: number;
      highest: number;
      missing: number;
      missingInsidePlot: number;
      legend: string;
    }
  >;
}

/** Measures the drawn report in the page (evaluated as a string: this file has no DOM typings). */
function measure(page: Page): Promise<Picture> {
  return page.evaluate<Picture>(`(() => {
    const box = (el) => el.getBoundingClientRect();
    const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    const out = { before: {}, deployX: {}, overlaps: [], clipped: [], wrappedSignals: [], thresholdLabels: [], headline: {}, charts: {} };
    for (const svg of document.querySelectorAll('svg')) {
      const name = svg.getAttribute('data-signal') || svg.getAttribute('class');
      const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '');
      for (let i = 0; i < texts.length; i++)
        for (let j = i + 1; j < texts.length; j++)
          if (overlap(box(texts[i]), box(texts[j]))) out.overlaps.push(name + ': ' + texts[i].textContent + ' / ' + texts[j].textContent);
      const frames = [...svg.querySelectorAll('rect.frame')].map(box);
      for (const c of svg.querySelectorAll('circle:not(.pt-before)')) {
        if (svg.classList.contains('timeline')) continue;
        const b = box(c);
        if (!frames.some((f) => b.left >= f.left && b.right <= f.right && b.top >= f.top && b.bottom <= f.bottom))
          out.clipped.push(name + ' ' + c.getAttribute('cx') + ',' + c.getAttribute('cy'));
      }
      if (!svg.classList.contains('signal-chart')) continue;
      const before = [...svg.querySelectorAll('polyline.value-before')].map(box);
      if (before.length > 0) {
        const left = Math.min(...before.map((b) => b.left));
        const right = Math.max(...before.map((b) => b.right));
        out.before[name] = { right, width: right - left };
      }
      const deploy = svg.querySelector('line[data-mark="deploy"]');
      if (deploy) out.deployX[name] = box(deploy).left;
      for (const t of svg.querySelectorAll('text.label-threshold')) out.thresholdLabels.push(t.textContent);
      const plot = frames[frames.length - 1];
      const share = (el) => { const b = box(el); return (plot.bottom - (b.top + b.bottom) / 2) / plot.height; };
      const verify = [...svg.querySelectorAll('circle')].filter((c) => (c.textContent || '').includes(', verify)'));
      const points = [...svg.querySelectorAll('circle:not(.pt-before)')];
      const missing = [...svg.querySelectorAll('.missing')];
      out.charts[name] = {
        scale: svg.getAttribute('data-scale'),
        verifyLowest: Math.min(...verify.map(share)),
        beforeLowest: Math.min(...[...svg.querySelectorAll('circle.pt-before')].map(share)),
        highest: Math.max(...points.map(share)),
        missing: missing.length,
        missingInsidePlot: missing.filter((m) => frames.some((f) => box(m).top < f.bottom - 0.5 && box(m).bottom > f.top)).length,
        legend: svg.closest('.chart').querySelector('.legend').textContent,
      };
    }
    for (const s of document.querySelectorAll('.sig')) if (s.getClientRects().length !== 1) out.wrappedSignals.push(s.textContent);
    const h = document.querySelector('#headline');
    out.headline = h
      ? { text: h.textContent, lines: Math.round(h.getBoundingClientRect().height / parseFloat(getComputedStyle(h).lineHeight)) }
      : { text: '', lines: 0 };
    return out;
  })()`);
}

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

    const picture = await measure(page);
    // Every chart draws the pre-deploy window left of the deploy (the memory trend has no level
    // series: its values are slopes).
    expect(Object.keys(picture.before).sort()).toEqual(['error-rate', 'health', 'latency-p99']);
    for (const [signal, before] of Object.entries(picture.before)) {
      expect(before.width, signal).toBeGreaterThan(20);
      expect(before.right, signal).toBeLessThan(picture.deployX[signal] as number);
    }
    expect(picture.overlaps).toEqual([]);
    expect(picture.clipped).toEqual([]);
    expect(picture.wrappedSignals).toEqual([]);
    expect(picture.thresholdLabels).toEqual(
      expect.arrayContaining(['threshold 0.5%', 'threshold 0.95%', 'threshold 100%']),
    );
    // A short headline: short artifact ids, on one line.
    expect(picture.headline.text).toContain('Rolled back 42@9fceb02… → 41@1c002dd…');
    expect(picture.headline.text).not.toContain('9fceb02d0ae598e95dc970b74767f19372d61af8');
    expect(picture.headline.lines).toBe(1);

    // The only request was the page itself: no font, image, stylesheet or beacon.
    expect(requests).toEqual([url]);
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(existsSync(SCREENSHOT)).toBe(true);
    await page.close();
  }, 60_000);

  it('shows a spike and the recovery on a log-like scale, and evaluations without a value under the plot, not at 0', async () => {
    const { page } = await open(renderReport(spikeRecord()), 'spike.html');
    const picture = await measure(page);
    const errors = picture.charts['error-rate'];
    expect(errors?.scale).toBe('log');
    // On a linear 0-22% axis the 0.1% baseline and the recovery would sit within 1% of the
    // plot's height from zero; here they stand clear of it, and the spike stays inside the plot.
    expect(errors?.verifyLowest).toBeGreaterThan(0.25);
    expect(errors?.beforeLowest).toBeGreaterThan(0.25);
    expect(errors?.highest).toBeLessThanOrEqual(1);
    expect(errors?.highest).toBeGreaterThan(0.8);
    // Health: the evaluations without a value are drawn in the lane below the plot, and named.
    const health = picture.charts.health;
    expect(health?.missing).toBe(4);
    expect(health?.missingInsidePlot).toBe(0);
    expect(health?.legend).toContain('no value: no data');
    expect(health?.scale).toBe('linear');
    expect(picture.overlaps).toEqual([]);
    expect(picture.clipped).toEqual([]);
    await page.locator('.chart[data-signal="error-rate"]').screenshot({ path: SPIKE_SCREENSHOT });
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
