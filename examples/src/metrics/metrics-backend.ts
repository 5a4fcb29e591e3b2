import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createExpositionSource, type ExpositionSource } from '@rollgate/prometheus-source';
// examples/package.json does not list @rollgate/testkit (adding it needs a lockfile update), so
// the Prometheus launcher is imported from the workspace by path. It is node-only and has no
// dependencies beyond node:*.
import { findPrometheusBinary, startPrometheus } from '../../../packages/testkit/src/prometheus/index';
import { DEMO_JOB } from '../watch/demo-contract';

/** Where the demo's metrics are kept and read from. */
export type MetricsBackend =
  | {
      readonly kind: 'prometheus';
      /** Base URL of the Prometheus HTTP API (loopback, free port). */
      readonly url: string;
      /** e.g. `2.42.0`. */
      readonly version: string;
      stop(): Promise<void>;
    }
  | {
      readonly kind: 'exposition';
      /** The in-process source: it scrapes the service and answers the watch's reads. */
      readonly source: ExpositionSource;
      stop(): Promise<void>;
    };

/** Scrape interval of both paths. */
export const SCRAPE_INTERVAL_SECONDS = 1;

async function prometheusVersion(binary: string): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)(binary, ['--version'], { timeout: 5_000 });
    return /version (\S+)/.exec(`${stdout}${stderr}`)?.[1] ?? 'unknown version';
  } catch {
    return 'unknown version';
  }
}

/**
 * A real Prometheus on loopback scraping the service every second, when the binary is
 * installed and `preferPrometheus`; otherwise (or when it fails to start) the exposition source,
 * which scrapes the service's `/metrics` itself. `announce` is told which, and why.
 */
export async function startMetricsBackend(options: {
  readonly serviceAddress: string;
  readonly preferPrometheus: boolean;
  readonly announce: (message: string) => void;
}): Promise<MetricsBackend> {
  const { serviceAddress, announce } = options;
  if (options.preferPrometheus) {
    let binary: string | undefined;
    try {
      binary = findPrometheusBinary();
    } catch {
      announce('no Prometheus binary found (bash scripts/setup.sh installs it with apt where available)');
    }
    if (binary !== undefined) {
      try {
        const prometheus = await startPrometheus({
          scrapeTargets: [serviceAddress],
          scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS,
          jobName: DEMO_JOB,
        });
        try {
          await prometheus.waitForTargetsUp({ timeoutMs: 20_000 });
        } catch (error) {
          await prometheus.stop();
          throw error;
        }
        return {
          kind: 'prometheus',
          url: prometheus.url,
          version: await prometheusVersion(prometheus.binary),
          stop: () => prometheus.stop(),
        };
      } catch (error) {
        announce(
          `Prometheus (${binary}) did not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        );
      }
    }
  }
  const source = createExpositionSource({
    targets: [`http://${serviceAddress}/metrics`],
    job: DEMO_JOB,
    scrapeIntervalMs: SCRAPE_INTERVAL_SECONDS * 1000,
    metrics: { restarts: 'process_start_time_seconds' },
  });
  const first = await source.waitForScrape({ timeoutMs: 10_000 });
  if (first.targets[0]?.up !== true) {
    await source.dispose();
    throw new Error(
      `the exposition source could not scrape the service: ${first.targets[0]?.lastError ?? 'unknown'}`,
    );
  }
  return { kind: 'exposition', source, stop: () => source.dispose() };
}
