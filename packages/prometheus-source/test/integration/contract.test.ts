import { describeMetricSourceContract } from '@rollgate/testkit';
import {
  type RunningPrometheus,
  startPrometheus,
  startTestExporter,
  type TestExporter,
} from '@rollgate/testkit/prometheus';
import { afterAll } from 'vitest';
import { createPrometheusSource } from '../../src/index';
import {
  closedPortUrl,
  type LoopbackServer,
  startHangingServer,
  startUnavailableServer,
} from './loopback-servers';

interface Environment {
  readonly prometheus: RunningPrometheus;
  readonly exporter: TestExporter;
  /** Epoch ms between the last two scrapes of the setup: data up to it no longer changes. */
  readonly settledAt: number;
}

let environment: Promise<Environment> | undefined;

/** One real Prometheus for both runs of the contract, started on first use. */
function shared(): Promise<Environment> {
  environment ??= (async () => {
    const exporter = await startTestExporter();
    const prometheus = await startPrometheus({ scrapeTargets: [exporter.address], scrapeIntervalSeconds: 1 });
    await prometheus.waitForTargetsUp();
    exporter.recordRequests({ code: 200, count: 5, seconds: 0.01 });
    // Counts are differences between scrapes: wait for two, then one more so the last is stored.
    await exporter.nextScrape();
    const second = await exporter.nextScrape();
    await exporter.nextScrape();
    return { prometheus, exporter, settledAt: second.at + 500 };
  })();
  return environment;
}

afterAll(async () => {
  if (environment === undefined) return;
  const { prometheus, exporter } = await environment;
  await prometheus.stop();
  await exporter.stop();
});

for (const failure of ['a 503 backend', 'a closed port'] as const) {
  describeMetricSourceContract(
    `prometheus (real Prometheus; failing: ${failure})`,
    async () => {
      const { prometheus, exporter, settledAt } = await shared();
      const servers: LoopbackServer[] = [];
      const unavailable = failure === 'a 503 backend' ? await startUnavailableServer() : undefined;
      if (unavailable !== undefined) servers.push(unavailable);
      const hangingServer = await startHangingServer();
      servers.push(hangingServer);
      const source = createPrometheusSource({ url: prometheus.url });
      const failing = createPrometheusSource({ url: unavailable?.url ?? (await closedPortUrl()) });
      const hanging = createPrometheusSource({ url: hangingServer.url });
      return {
        source,
        failing,
        hanging,
        query: { measure: 'requests', selector: { instance: exporter.address } },
        emptyQuery: { measure: 'requests', selector: { job: 'no-such-job' } },
        range: () => {
          const end = Date.now();
          return { start: end - 5_000, end, stepMs: 1_000 };
        },
        now: () => Date.now(),
        badQuery: { measure: 'requests', selector: { 'not-a-label': 'x' } },
        // Grouped with `query` into one instance=~"..." query: one value with data, one without.
        batchQueries: [
          { measure: 'requests', selector: { instance: 'nowhere.invalid:1' } },
          { measure: 'errors', selector: { instance: exporter.address } },
          { measure: 'errors', selector: { instance: 'nowhere.invalid:1' } },
        ],
        // Ends before the last scrape the setup waited for: no new sample can change it.
        settledRange: () => ({ start: settledAt - 1_000, end: settledAt, stepMs: 1_000 }),
        async teardown() {
          await Promise.all([source.dispose(), failing.dispose(), hanging.dispose()]);
          await Promise.all(servers.map((s) => s.close()));
        },
      };
    },
    { readMany: true },
  );
}
