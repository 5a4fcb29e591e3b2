import { describeMetricSourceContract } from '@rollgate/testkit';
import { startTestExporter } from '@rollgate/testkit/prometheus';
import { createExpositionSource } from '../../src/index';
import {
  closedPortUrl,
  type LoopbackServer,
  startHangingServer,
  startUnavailableServer,
} from '../integration/loopback-servers';

for (const failure of ['a 503 endpoint', 'a closed port'] as const) {
  describeMetricSourceContract(`exposition (local exporter; failing: ${failure})`, async () => {
    const exporter = await startTestExporter();
    const servers: LoopbackServer[] = [];
    const unavailable = failure === 'a 503 endpoint' ? await startUnavailableServer() : undefined;
    if (unavailable !== undefined) servers.push(unavailable);
    const hangingServer = await startHangingServer();
    servers.push(hangingServer);
    const source = createExpositionSource({ targets: [exporter.url], scrapeIntervalMs: 200 });
    const failing = createExpositionSource({
      targets: [`${unavailable?.url ?? (await closedPortUrl())}/metrics`],
      scrapeIntervalMs: 200,
    });
    // The endpoint never answers, so the first scrape round never finishes while the suite
    // runs: reads wait for it and must honour the caller's signal and deadline.
    const hanging = createExpositionSource({
      targets: [`${hangingServer.url}/metrics`],
      scrapeIntervalMs: 120_000,
    });
    exporter.recordRequests({ code: 200, count: 5, seconds: 0.01 });
    // Counts are differences between scrapes: two rounds give one increment.
    await source.waitForScrape();
    exporter.recordRequests({ code: 200, count: 5, seconds: 0.01 });
    await source.waitForScrape();
    await source.waitForScrape();
    await failing.waitForScrape();
    return {
      source,
      failing,
      hanging,
      query: { measure: 'requests', selector: { instance: exporter.address } },
      emptyQuery: { measure: 'requests', selector: { job: 'no-such-job' } },
      range: () => {
        const end = Date.now();
        return { start: end - 1_000, end, stepMs: 200 };
      },
      now: () => Date.now(),
      async teardown() {
        await Promise.all([source.dispose(), failing.dispose(), hanging.dispose()]);
        await Promise.all(servers.map((s) => s.close()));
        await exporter.stop();
      },
    };
  });
}
