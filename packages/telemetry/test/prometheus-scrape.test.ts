import { type RunningPrometheus, startPrometheus } from '@rollgate/testkit/prometheus';
import { afterAll, describe, expect, it } from 'vitest';
import { instrumentController } from '../src/controller-telemetry';
import { type PrometheusEndpoint, servePrometheusMetrics } from '../src/prometheus-endpoint';
import { watchWorld } from './watch-world';

/** One PromQL instant query against the real Prometheus: the series and their values. */
async function query(prometheus: RunningPrometheus, promql: string) {
  const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return body.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
}

describe('Rollgate metrics scraped by the real Prometheus', () => {
  let endpoint: PrometheusEndpoint | undefined;
  let prometheus: RunningPrometheus | undefined;

  afterAll(async () => {
    await prometheus?.stop();
    await endpoint?.stop();
  });

  it('exposes watches by phase, verdicts, evidence against its threshold, decisions, cutovers with durations', async () => {
    endpoint = await servePrometheusMetrics({ host: '127.0.0.1', port: 0 });
    const w = watchWorld({ bad: true });
    const telemetry = instrumentController(w.controller, { meterProvider: endpoint.meterProvider });
    const result = await w.watch();
    expect(result.outcome).toBe('rolled-back');

    prometheus = await startPrometheus({
      scrapeTargets: [`127.0.0.1:${endpoint.port}`],
      scrapeIntervalSeconds: 1,
      jobName: 'rollgate',
    });
    await prometheus.waitForTargetsUp();
    // The first successful scrape may land just after the target turns up: wait for the series.
    let watches: Awaited<ReturnType<typeof query>> = [];
    for (let i = 0; i < 60 && watches.length === 0; i++) {
      watches = await query(prometheus, 'rollgate_watches');
      if (watches.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    const diagnostics = await (await fetch(endpoint.url)).text();
    expect(watches, diagnostics).toEqual([
      {
        labels: expect.objectContaining({ job: 'rollgate', service: 'checkout', phase: 'RolledBack' }),
        value: 1,
      },
    ]);
    const verdicts = await query(
      prometheus,
      'sum by (verdict, window) (rollgate_signal_verdicts_total{signal="error-rate"})',
    );
    const byVerdict = Object.fromEntries(
      verdicts.map((v) => [`${v.labels.window}/${v.labels.verdict}`, v.value]),
    );
    expect(byVerdict['bake/breach'], diagnostics).toBeGreaterThanOrEqual(1);
    expect(byVerdict['verify/pass'], diagnostics).toBeGreaterThanOrEqual(1);
    const evidence = await query(prometheus, 'rollgate_signal_evidence{signal="error-rate"}');
    const threshold = await query(prometheus, 'rollgate_signal_evidence_threshold{signal="error-rate"}');
    expect(evidence[0]?.labels.statistic).toBe('log-e-value');
    expect(threshold[0]?.value).toBeCloseTo(Math.log(1 / 0.005), 1);
    const decisions = await query(prometheus, 'rollgate_decisions_total');
    expect(decisions.map((d) => [d.labels.decision, d.value])).toEqual([['rollback', 1]]);
    const decisionSeconds = await query(
      prometheus,
      'rollgate_decision_seconds_sum / rollgate_decision_seconds_count',
    );
    expect(decisionSeconds[0]?.value).toBeGreaterThan(30);
    expect(decisionSeconds[0]?.value).toBeLessThan(120);
    const cutovers = await query(prometheus, 'rollgate_cutovers_total');
    expect(cutovers.map((c) => [c.labels.result, c.value])).toEqual([['ok', 1]]);
    const cutoverCount = await query(prometheus, 'rollgate_cutover_duration_seconds_count');
    expect(cutoverCount[0]?.value).toBe(1);
    const outcomes = await query(prometheus, 'rollgate_watch_outcomes_total');
    expect(outcomes.map((o) => [o.labels.outcome, o.value])).toEqual([['rolled-back', 1]]);
    expect(await query(prometheus, 'rollgate_source_errors_total')).toEqual([]);
    telemetry.dispose();
  }, 90_000);
});
