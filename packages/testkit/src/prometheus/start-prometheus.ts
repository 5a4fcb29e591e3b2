import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPrometheusBinary } from './find-prometheus-binary';

/** A scrape target: `host:port`, or the address with extra target labels (e.g. `version`). */
export type ScrapeTarget =
  | string
  | { readonly address: string; readonly labels?: Readonly<Record<string, string>> };

/** Options of {@link startPrometheus}. */
export interface StartPrometheusOptions {
  /** Targets to scrape (`127.0.0.1:9464`); all in one job, `job="rollgate-test"` unless `jobName`. */
  readonly scrapeTargets: readonly ScrapeTarget[];
  /** Scrape and rule-evaluation interval in seconds (default 1). The scrape timeout equals it. */
  readonly scrapeIntervalSeconds?: number;
  /** The `job` label of the targets (default `rollgate-test`). */
  readonly jobName?: string;
  /** An explicit binary path; otherwise PATH, then `/usr/bin/prometheus`. */
  readonly binary?: string;
  /** How long to wait for `/-/ready` (default 30 000 ms). */
  readonly readyTimeoutMs?: number;
  /** `--query.lookback-delta` in seconds (Prometheus default: 300). */
  readonly lookbackDeltaSeconds?: number;
  /** Extra command-line flags, appended last. */
  readonly extraArgs?: readonly string[];
}

/** A running Prometheus started by {@link startPrometheus}. */
export interface RunningPrometheus {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** The temporary directory holding the config and the TSDB; removed by `stop()`. */
  readonly dataDir: string;
  /** The binary that runs. */
  readonly binary: string;
  /**
   * Polls `/api/v1/targets` until every active target (or the ones listed) reports health `up`.
   * Rejects with the targets' last errors after `timeoutMs` (default 15 000).
   */
  waitForTargetsUp(options?: {
    readonly addresses?: readonly string[];
    readonly timeoutMs?: number;
  }): Promise<void>;
  /**
   * Rewrites the config with new targets and reloads it (`POST /-/reload`). Prometheus applies
   * target changes at most every 5 s, so wait with `waitForTargetsUp({ addresses })` afterwards.
   */
  setScrapeTargets(targets: readonly ScrapeTarget[]): Promise<void>;
  /** Kills Prometheus (SIGTERM, then SIGKILL after 5 s) and removes `dataDir`. Idempotent. */
  stop(): Promise<void>;
}

const STDERR_TAIL_CHARS = 4_000;

function configFor(targets: readonly ScrapeTarget[], intervalSeconds: number, jobName: string): string {
  const interval = `${intervalSeconds}s`;
  const staticConfigs = targets.map((target) =>
    typeof target === 'string'
      ? { targets: [target] }
      : { targets: [target.address], ...(target.labels === undefined ? {} : { labels: target.labels }) },
  );
  // JSON is valid YAML, so the config needs no YAML escaping.
  return JSON.stringify(
    {
      global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
      scrape_configs: [{ job_name: jobName, static_configs: staticConfigs }],
    },
    null,
    2,
  );
}

/** Asks the OS for a free loopback port. Prometheus binds it a moment later; see the retry in startPrometheus. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not allocate a port'))));
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function fetchWithTimeout(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

interface Launch {
  readonly child: ChildProcess;
  readonly port: number;
  stderr(): string;
  exited(): { code: number | null; signal: NodeJS.Signals | null } | null;
  readonly exit: Promise<void>;
}

function launch(binary: string, args: readonly string[], port: number): Launch {
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_CHARS);
  });
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve();
    });
    child.once('error', (error) => {
      tail += `\n${error.message}`;
      exitInfo = { code: null, signal: null };
      resolve();
    });
  });
  return { child, port, stderr: () => tail, exited: () => exitInfo, exit };
}

async function waitReady(run: Launch, timeoutMs: number): Promise<'ready' | 'exited'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (run.exited() !== null) return 'exited';
    try {
      const res = await fetchWithTimeout(`http://127.0.0.1:${run.port}/-/ready`, {}, 1_000);
      await res.arrayBuffer();
      if (res.status === 200) return 'ready';
    } catch {
      // Not listening yet: poll again.
    }
    await delay(50);
  }
  throw new Error(
    `Prometheus did not become ready within ${timeoutMs} ms on 127.0.0.1:${run.port}. Last stderr:\n${run.stderr()}`,
  );
}

async function terminate(run: Launch): Promise<void> {
  if (run.exited() !== null) return;
  run.child.kill('SIGTERM');
  const killed = await Promise.race([run.exit.then(() => true), delay(5_000).then(() => false)]);
  if (!killed) {
    run.child.kill('SIGKILL');
    await run.exit;
  }
}

/**
 * Starts a real, local Prometheus for tests, the demo and benchmarks: it finds the binary, picks
 * a free loopback port, writes a config scraping `scrapeTargets` every `scrapeIntervalSeconds`
 * into a temporary directory, starts Prometheus with its TSDB there, and resolves once
 * `/-/ready` answers 200. `stop()` kills it and removes the directory; a process exit kills it too.
 *
 * A missing binary throws an Error that says how to install Prometheus (never a silent skip).
 */
export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const binary = findPrometheusBinary(options.binary === undefined ? {} : { binary: options.binary });
  const intervalSeconds = options.scrapeIntervalSeconds ?? 1;
  if (!(intervalSeconds > 0)) throw new Error('startPrometheus: scrapeIntervalSeconds must be > 0');
  const jobName = options.jobName ?? 'rollgate-test';
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const dataDir = await mkdtemp(join(tmpdir(), 'rollgate-prometheus-'));
  const configFile = join(dataDir, 'prometheus.yml');
  await writeFile(configFile, configFor(options.scrapeTargets, intervalSeconds, jobName));

  let run: Launch | undefined;
  try {
    // The port is free when chosen but another process may take it before Prometheus binds:
    // retry with a fresh port when that happens.
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort();
      const args = [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dataDir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
        '--storage.tsdb.retention.time=1d',
        '--log.level=warn',
        ...(options.lookbackDeltaSeconds === undefined
          ? []
          : [`--query.lookback-delta=${options.lookbackDeltaSeconds}s`]),
        ...(options.extraArgs ?? []),
      ];
      const candidate = launch(binary, args, port);
      const state = await waitReady(candidate, readyTimeoutMs).catch(async (error: unknown) => {
        await terminate(candidate);
        throw error;
      });
      if (state === 'ready') {
        run = candidate;
        break;
      }
      const stderr = candidate.stderr();
      if (attempt < 3 && /address already in use/i.test(stderr)) continue;
      throw new Error(`Prometheus (${binary}) exited before it was ready. Last stderr:\n${stderr}`);
    }
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  const running = run;
  const url = `http://127.0.0.1:${running.port}`;
  const killOnExit = (): void => {
    running.child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let stopping: Promise<void> | undefined;

  return {
    url,
    port: running.port,
    dataDir,
    binary,
    async waitForTargetsUp(waitOptions = {}) {
      const timeoutMs = waitOptions.timeoutMs ?? 15_000;
      const deadline = Date.now() + timeoutMs;
      let last = 'no answer from /api/v1/targets yet';
      while (Date.now() < deadline) {
        try {
          const res = await fetchWithTimeout(`${url}/api/v1/targets?state=active`, {}, 2_000);
          const body = (await res.json()) as {
            data?: { activeTargets?: { scrapeUrl?: string; health?: string; lastError?: string }[] };
          };
          const targets = body.data?.activeTargets ?? [];
          const wanted = waitOptions.addresses;
          const relevant =
            wanted === undefined
              ? targets
              : targets.filter((t) => wanted.some((address) => t.scrapeUrl?.includes(`//${address}/`)));
          const expected = wanted === undefined ? 1 : wanted.length;
          if (relevant.length >= expected && relevant.every((t) => t.health === 'up')) return;
          last = JSON.stringify(
            relevant.map((t) => ({ url: t.scrapeUrl, health: t.health, error: t.lastError })),
          );
        } catch (error) {
          last = error instanceof Error ? error.message : String(error);
        }
        await delay(100);
      }
      throw new Error(`Prometheus targets not up within ${timeoutMs} ms: ${last}`);
    },
    async setScrapeTargets(targets) {
      await writeFile(configFile, configFor(targets, intervalSeconds, jobName));
      const res = await fetchWithTimeout(`${url}/-/reload`, { method: 'POST' }, 10_000);
      const text = await res.text();
      if (res.status !== 200)
        throw new Error(`Prometheus refused the new config (HTTP ${res.status}): ${text}`);
    },
    stop() {
      stopping ??= (async () => {
        process.removeListener('exit', killOnExit);
        await terminate(running);
        await rm(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
