import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditRecordSchema } from '@rollgate/core';
import {
  type RunningPrometheus,
  startPrometheus,
  startTestExporter,
  type TestExporter,
} from '@rollgate/testkit/prometheus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli, sleep } from '../support/cli-process';
import { createDeployerLayout, type DeployerLayout } from '../support/deployer-layout';

/**
 * Issue 18, findings 3 and 4, end to end: the built-from-source CLI against a real Prometheus
 * behind a loopback proxy, on a Deployer release directory.
 * - `/warn/...` forwards to Prometheus and adds `"warnings": ["partial response: store gateway
 *   down"]` to every reply, as Thanos or Mimir do with a store down (finding 3: a good release was
 *   promoted with a signed verification on partial data).
 * - `/echo/...` answers 401 or 503 with the request headers echoed in the body, as some proxies
 *   do (finding 4: X-Scope-OrgID's value reached audit.jsonl, the snapshot, report.html and
 *   `rollgate report`'s stdout).
 */

const WARNING = 'partial response: store gateway down';
/** The tenant id a proxy echoes; with a `/`, so its URL-encoded form differs from the raw one. */
const ORG_ID = 'tenant/7f3a9c1e5b2d4086';
const ORG_FORMS = [ORG_ID, encodeURIComponent(ORG_ID)];

async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

describe('rollgate watch behind a misbehaving proxy (issue 18)', () => {
  let dir: string;
  let layout: DeployerLayout;
  let exporter: TestExporter;
  let prometheus: RunningPrometheus;
  let proxy: Server;
  let proxyUrl: string;
  const echoed: string[] = [];
  let loading = true;
  let load: Promise<void>;

  /** Forwards to Prometheus; adds the partial-response warning to a JSON reply. */
  function forwardWithWarning(req: IncomingMessage, res: ServerResponse, path: string): void {
    const target = new URL(path, prometheus.url);
    const upstream = request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (reply) => {
        let body = '';
        reply.setEncoding('utf8').on('data', (c: string) => {
          body += c;
        });
        reply.on('end', () => {
          let out = body;
          try {
            const json = JSON.parse(body) as Record<string, unknown>;
            out = JSON.stringify({ ...json, warnings: [WARNING] });
          } catch {
            // Not JSON: passed on as it came.
          }
          res.writeHead(reply.statusCode ?? 502, { 'content-type': 'application/json' }).end(out);
        });
      },
    );
    upstream.on('error', () => res.writeHead(502).end('bad gateway'));
    req.pipe(upstream);
  }

  /** Answers 401 or 503 with every request header echoed, raw and URL-encoded. */
  function echoHeaders(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const lines = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`);
    const encoded = Object.entries(req.headers).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
    const body = `upstream unavailable; your request: ${lines.join('; ')}; as query: ${encoded.join('&')}`;
    echoed.push(body);
    const status = echoed.length % 2 === 0 ? 401 : 503;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
  }

  function config(source: 'warn' | 'echo'): string {
    return `service: shop
contract:
  stepSeconds: 1
  bakeSeconds: 10
  warmupSeconds: 1
  coldStartSeconds: 2
  baselineSeconds: 10
  verification: { windowSeconds: 5 }
  confirmation: { maxConsecutiveErrors: 3 }
  signals:
    - id: error-rate
      kind: error-rate
      selector: { job: rollgate-test }
      rules: [{ type: sequential, test: baseline }]
      minSamples: 20
      maxLagSeconds: 5
    - id: health
      kind: health
      selector: { job: rollgate-test }
      rules: [{ type: health }]
      windowSeconds: 5
      maxLagSeconds: 5
sources:
  prom:
    type: prometheus
    url: ${proxyUrl}/${source}
    headers: { X-Scope-OrgID: "\${ORG_ID}" }
    metrics: { restarts: process_start_time_seconds }
executor: { type: deployer, deployPath: ${layout.deployPath} }
state: { dir: state-${source} }
guardrails: { cooldownSeconds: 0 }
`;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rollgate-hardening-e2e-'));
    layout = await createDeployerLayout(dir);
    await layout.addRelease('1', 'aaa111');
    await layout.switchTo('1');
    exporter = await startTestExporter();
    prometheus = await startPrometheus({ scrapeTargets: [exporter.address], scrapeIntervalSeconds: 1 });
    proxy = createServer((req, res) => {
      const url = req.url ?? '/';
      if (url.startsWith('/warn/')) forwardWithWarning(req, res, url.slice('/warn'.length));
      else if (url.startsWith('/echo/')) echoHeaders(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    // A healthy service: 200 requests/s, about 0.5% of them failing.
    let tick = 0;
    load = (async () => {
      while (loading) {
        tick += 1;
        const errors = tick % 10 === 0 ? 1 : 0;
        exporter.recordRequests({ code: 200, count: 20 - errors, seconds: 0.02 });
        if (errors > 0) exporter.recordRequests({ code: 500, count: errors, seconds: 0.02 });
        await sleep(100);
      }
    })();
    await writeFile(join(dir, 'warn.yaml'), config('warn'));
    await writeFile(join(dir, 'echo.yaml'), config('echo'));
    await prometheus.waitForTargetsUp();
    await sleep(11_000);
  }, 60_000);

  afterAll(async () => {
    loading = false;
    await load;
    await new Promise((resolve) => proxy?.close(resolve));
    await prometheus?.stop();
    await exporter?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('partial data (Prometheus warnings) never promotes or verifies a good release; the audit and --json keep the warnings', async () => {
    const run = await runCli(['watch', '--config', join(dir, 'warn.yaml'), '--json'], { env: { ORG_ID } });
    const events = jsonLines(run.stdout);
    const summary = events.at(-1);
    expect(summary, run.stderr).toMatchObject({ type: 'summary', outcome: 'escalated' });
    expect(run.code).toBe(20);
    const withWarnings = events
      .filter((e) => e.type === 'evaluation')
      .flatMap((e) => e.signals as Record<string, unknown>[])
      .filter((s) => Array.isArray(s.warnings));
    expect(withWarnings.length).toBeGreaterThan(0);
    expect(withWarnings[0]).toMatchObject({
      status: 'error',
      warnings: [WARNING],
      error: { code: 'SOURCE_PARTIAL_DATA' },
    });

    const [line] = (await readFile(join(dir, 'state-warn', 'audit.jsonl'), 'utf8')).trimEnd().split('\n');
    const record = AuditRecordSchema.parse(JSON.parse(line ?? ''));
    expect(record.outcome).toBe('escalated');
    expect(record.verification).toBeNull();
    expect(record.reason).toMatch(/in a row/);
    const points = Object.values(record.series).flat();
    expect(points.some((p) => p.warnings?.includes(WARNING))).toBe(true);
    expect(record.finalReadings.some((v) => v.error?.code === 'SOURCE_PARTIAL_DATA')).toBe(true);
    // Nothing was signed for the release.
    const artifacts = join(dir, 'state-warn', 'artifacts.json');
    if (existsSync(artifacts)) expect(await readFile(artifacts, 'utf8')).not.toContain('1@aaa111');
    expect(await layout.current()).toBe('1');
  }, 60_000);

  it('a proxy echoing request headers into 401/503 bodies leaks no header value into any file or output', async () => {
    const report = join(dir, 'report-echo.html');
    // The proxy fails every read, so the preflight refuses to start; its message quotes the
    // echoed bodies, redacted like everything else (checked below).
    const refused = await runCli(['watch', '--config', join(dir, 'echo.yaml'), '--json'], {
      env: { ORG_ID },
    });
    expect(refused.stderr).toContain('preflight');
    expect(jsonLines(refused.stdout).at(-1), refused.stderr).toMatchObject({
      type: 'summary',
      outcome: 'error',
    });
    // Past the preflight, the echoed bodies reach the watch's own verdicts, audit, snapshot and
    // report.
    const run = await runCli(
      ['watch', '--config', join(dir, 'echo.yaml'), '--json', '--no-preflight', '--report', report],
      { env: { ORG_ID } },
    );
    expect(jsonLines(run.stdout).at(-1), run.stderr).toMatchObject({ type: 'summary', outcome: 'escalated' });
    // The proxy really did echo the value, in both forms.
    expect(echoed.some((b) => b.includes(ORG_ID) && b.includes(encodeURIComponent(ORG_ID)))).toBe(true);

    const stateDir = join(dir, 'state-echo');
    const files = [...(await filesUnder(stateDir)), report];
    expect(files.some((f) => f.endsWith('audit.jsonl'))).toBe(true);
    expect(files.some((f) => f.includes('snapshots'))).toBe(true);
    const reportRun = await runCli(['report', join(stateDir, 'audit.jsonl'), '--out', '-']);
    expect(reportRun.code, reportRun.stderr).toBe(0);
    const texts: [string, string][] = [
      ['preflight stdout', refused.stdout],
      ['preflight stderr', refused.stderr],
      ['watch stdout', run.stdout],
      ['watch stderr', run.stderr],
      ['report stdout', reportRun.stdout],
      ['report stderr', reportRun.stderr],
    ];
    for (const file of files) texts.push([file, await readFile(file, 'utf8')]);
    for (const [where, text] of texts) {
      for (const form of ORG_FORMS) expect(text.includes(form), `${form} in ${where}`).toBe(false);
    }
    // The redaction is visible where the echo ended up, and ordinary text is intact.
    const audit = await readFile(join(stateDir, 'audit.jsonl'), 'utf8');
    expect(audit).toContain('x-scope-orgid: [redacted]');
    expect(reportRun.stdout).toContain('</html>');
  }, 60_000);
});
