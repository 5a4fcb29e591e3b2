import { describeMetricSourceContract } from '@rollgate/testkit';
import { API_KEY, checkout, MINUTE, sourceFor, startDouble, T_END } from '../support/fixtures';
import { replies } from '../support/nerdgraph-double';

describeMetricSourceContract('newrelic-source against the NerdGraph double', async () => {
  const working = await startDouble();
  const failing = await startDouble();
  failing.serve({ kind: 'reply', reply: replies.status(503) });
  const hanging = await startDouble();
  hanging.serve({ kind: 'hang' });
  const sources = [sourceFor(working), sourceFor(failing), sourceFor(hanging)] as const;
  return {
    source: sources[0],
    failing: sources[1],
    hanging: sources[2],
    query: { measure: 'requests', selector: checkout },
    emptyQuery: { measure: 'latency-quantile', selector: { appName: 'nobody' }, quantile: 0.99 },
    range: () => ({ start: T_END - 4 * MINUTE, end: T_END, stepMs: MINUTE }),
    now: () => Date.now(),
    async teardown() {
      await Promise.all(sources.map((s) => s.dispose()));
      await Promise.all([working.close(), failing.close(), hanging.close()]);
      if (working.violations.length > 0)
        throw new Error(`protocol violations: ${working.violations.join('; ')}`);
      if (working.requests.some((r) => r.headers['api-key'] !== API_KEY))
        throw new Error('API-Key header missing');
    },
  };
});
