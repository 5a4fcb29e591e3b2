import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freeLoopbackPort,
  type RunningPrometheus,
  startPrometheus,
  startTestExporter,
  type TestExporter,
} from '@rollgate/testkit/prometheus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines as events, runCli as runCliProcess } from '../support/cli-process';
import { createDeployerLayout, type DeployerLayout } from '../support/deployer-layout';

const GOOD_TOKEN = 'preflight-good-7e2a91c04d5b3f68';
const BAD_TOKEN = 'preflight-wrong-0f1e2d3c4b5a6978';

/** The real CLI from source, until it exits (or is killed after `killAfterMs`). */
const runCli = (args: readonly string[], env: Record<string, string>, killAfterMs = 120_000) =>
  runCliProcess(args, { env, killAfterMs });

/**
 * A bearer-token check in front of the real Prometheus, as an authenticating reverse proxy
 * (nginx, oauth2-proxy) would be: 401 without the right token, the request passed on with it.
 */
function authProxy(target: string, token: string): Promise<Server> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized\n');
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('rollgate watch preflight (real Prometheus behind a token-checking proxy)', () => {
  let dir: string;
  let layout: DeployerLayout;
  let exporter: TestExporter;
  let prometheus: RunningPrometheus;
  let proxy: Server;
  let proxyUrl: string;
  let closedPort: number;
  /** When Prometheus began scraping: its data covers the 10 s baseline window 11 s later. */
  let scrapingSince = 0;

  const config = async (name: string, source: string, selector = 'rollgate-test'): Promise<string> => {
    const file = join(dir, `${name}.yaml`);
    await writeFile(
      file,
      `service: shop
contract:
  stepSeconds: 1
  bakeSeconds: 30
  warmupSeconds: 1
  coldStartSeconds: 2
  baselineSeconds: 10
  signals:
    - id: error-rate
      kind: error-rate
      selector: { job: ${selector} }
      rules: [{ type: sequential, test: baseline }]
      minSamples: 20
    - id: health
      kind: health
      selector: { job: ${selector} }
      rules: [{ type: health }]
      windowSeconds: 5
sources:
  prom:
${source}
    metrics: { restarts: process_start_time_seconds }
executor: { type: deployer, deployPath: ${layout.deployPath} }
state: { dir: state-${name} }
guardrails: { cooldownSeconds: 0 }
`,
    );
    return file;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rollgate-preflight-'));
    layout = await createDeployerLayout(dir);
    await layout.addRelease('1', 'aaa111');
    await layout.switchTo('1');
    exporter = await startTestExporter();
    exporter.recordRequests({ code: 200, count: 100, seconds: 0.02 });
    prometheus = await startPrometheus({ scrapeTargets: [exporter.address], scrapeIntervalSeconds: 1 });
    proxy = await authProxy(prometheus.url, GOOD_TOKEN);
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    closedPort = await freeLoopbackPort();
    await prometheus.waitForTargetsUp();
    scrapingSince = Date.now();
  }, 60_000);

  afterAll(async () => {
    await new Promise((resolve) => proxy?.close(resolve));
    await prometheus?.stop();
    await exporter?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const bearer = (url: string) =>
    `    type: prometheus\n    url: ${url}\n    auth: { type: bearer, token: "\${PROM_TOKEN}" }`;

  it('a wrong credential stops a new watch before it starts, naming each signal and its query (exit 1)', async () => {
    const file = await config('wrong-token', bearer(proxyUrl));
    const run = await runCli(['watch', '--config', file, '--json', '--artifact', '1@aaa111'], {
      PROM_TOKEN: BAD_TOKEN,
    });
    const all = events(run.stdout);
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(1);
    expect(all.filter((e) => e.type === 'evaluation')).toEqual([]);
    expect(all.at(-1)).toMatchObject({ type: 'summary', outcome: 'error', error: { code: 'SOURCE_AUTH' } });
    expect(run.stderr).toContain('preflight: 2 of 2 signal(s) cannot be read, so the watch did not start');
    expect(run.stderr).toMatch(
      /signal "error-rate" \(source "prom"\): SOURCE_AUTH: .*401.* Query: .*job="rollgate-test"/,
    );
    expect(run.stderr).toMatch(/signal "health" \(source "prom"\): SOURCE_AUTH: /);
    // Nothing was started: no snapshot, no audit.
    expect(existsSync(join(dir, 'state-wrong-token', 'snapshots'))).toBe(false);
    expect(existsSync(join(dir, 'state-wrong-token', 'audit.jsonl'))).toBe(false);
    expect(`${run.stdout}${run.stderr}`).not.toContain(BAD_TOKEN);
    console.info(`wrong credential: exit ${run.code} after ${run.seconds.toFixed(1)} s`);
  }, 120_000);

  it('a wrong URL fails the same way, after the usual retries (exit 1)', async () => {
    const file = await config('wrong-url', bearer(`http://127.0.0.1:${closedPort}`));
    const run = await runCli(['watch', '--config', file, '--artifact', '1@aaa111'], {
      PROM_TOKEN: GOOD_TOKEN,
    });
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(1);
    expect(run.stderr).toMatch(
      /rollgate watch: SOURCE_UNAVAILABLE: preflight: 2 of 2 signal\(s\) cannot be read/,
    );
    expect(run.stderr).toContain('signal "error-rate" (source "prom"): SOURCE_UNAVAILABLE:');
    expect(run.stdout).not.toMatch(/evaluation bake/);
    expect(existsSync(join(dir, 'state-wrong-url', 'snapshots'))).toBe(false);
    console.info(`wrong URL: exit ${run.code} after ${run.seconds.toFixed(1)} s`);
  }, 120_000);

  it('a selector that matches nothing stops it as a configuration problem (exit 2)', async () => {
    const file = await config('no-match', bearer(proxyUrl), 'no-such-job');
    const run = await runCli(['watch', '--config', file, '--artifact', '1@aaa111'], {
      PROM_TOKEN: GOOD_TOKEN,
    });
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(2);
    expect(run.stderr).toContain('CONFIG_INVALID: preflight: no signal has any data in the last 10s');
    expect(run.stderr).toMatch(/- error-rate: .*job="no-such-job"/);
    expect(existsSync(join(dir, 'state-no-match', 'snapshots'))).toBe(false);
  }, 120_000);

  it('a good source passes it and the watch goes on; --no-preflight skips it', async () => {
    const file = await config('good', bearer(proxyUrl));
    // The request counts are increases over the 10 s window (`offset 10s`): until Prometheus has
    // scraped for that long they have no data, which the preflight rightly reports as such.
    const wait = scrapingSince + 11_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const run = await runCli(
      ['watch', '--config', file, '--json', '--artifact', '1@aaa111', '--dry-run'],
      { PROM_TOKEN: GOOD_TOKEN },
      // The bake is 30 s; one evaluation after the preflight is all this test needs.
      20_000,
    );
    const all = events(run.stdout);
    const notice = all.find(
      (e) => e.type === 'notice' && String(e.message).startsWith('preflight: read 2 signal(s)'),
    );
    expect(notice, run.stderr).toMatchObject({
      message: expect.stringContaining('error-rate ok, health ok'),
    });
    expect(all.some((e) => e.type === 'evaluation')).toBe(true);

    const skipped = await runCli(
      [
        'watch',
        '--config',
        await config('skip', bearer(`http://127.0.0.1:${closedPort}`)),
        '--json',
        '--artifact',
        '1@aaa111',
        '--no-preflight',
      ],
      { PROM_TOKEN: GOOD_TOKEN },
      20_000,
    );
    // Without the preflight the watch starts and reads (and fails) at every evaluation instead.
    expect(events(skipped.stdout).some((e) => e.type === 'start')).toBe(true);
    expect(skipped.stderr).not.toContain('preflight');
  }, 120_000);
});
