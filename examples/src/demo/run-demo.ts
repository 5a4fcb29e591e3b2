import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Executor } from '@rollgate/core';
import { startRollgate } from '../cli/rollgate-cli';
import { createDeployPath, type DeployedRelease } from '../deploy/deploy-path';
import { type LoadGenerator, startLoad } from '../load/load-generator';
import { warmUp } from '../load/warm-up';
import {
  type MetricsBackend,
  SCRAPE_INTERVAL_SECONDS,
  startMetricsBackend,
} from '../metrics/metrics-backend';
import { buildSummary, buildTimeline, type DemoSummary, timelineLines } from '../report/demo-timeline';
import { serviceRecordLines, serviceWindows } from '../report/service-record';
import { BAD_RELEASE, GOOD_RELEASE } from '../service/release-behaviour';
import { type ServiceProcess, startServiceProcess } from '../service/service-process';
import type { ServiceState } from '../service/shop-service';
import { startCliWatch } from '../watch/cli-watch';
import { DEMO_CONTRACT, demoConfigYaml } from '../watch/demo-contract';
import {
  demoExecutor,
  recordVerifiedInProcess,
  runEmbeddedWatch,
  statePathsOf,
} from '../watch/embedded-watch';
import type { WatchEvent, WatchFinish } from '../watch/watch-events';
import { Cleanup } from './cleanup';
import type { DemoOptions } from './demo-options';
import { createTerminal, type Terminal } from './terminal';

/** Requests per second of the load generator. */
const LOAD_PER_SECOND = 40;
/** Requests that bring the young service process to steady memory first (see warmUp). */
const WARM_UP_REQUESTS = 4_000;
/** The shop's in-memory catalogue: a production-like footprint (see loadCatalogue). */
const CATALOGUE_MIB = 192;
/**
 * Release 1 runs this long after the first scrape before the deploy: the baseline window plus
 * margin, so its start has a scrape before it (see DEMO_CONTRACT.baselineSeconds).
 */
const BASELINE_RUN_SECONDS = DEMO_CONTRACT.baselineSeconds + 3;
/** Default report location: examples/.demo/ (gitignored). */
const OUTPUT_DIR = fileURLToPath(new URL('../../.demo/', import.meta.url));

/** How a demo run ended. */
export interface DemoResult {
  readonly summary: DemoSummary;
  /** True when Rollgate did what this run was meant to show (rolled back, or kept a good release). */
  readonly asExpected: boolean;
}

async function serviceState(service: ServiceProcess): Promise<ServiceState> {
  const response = await fetch(`${service.url}/_demo/state`);
  return (await response.json()) as ServiceState;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;
}

function trafficLine(load: LoadGenerator, release: string): string {
  const w = load.recent(5_000);
  const failed = w.failed > 0 ? `, ${w.failed} unanswered` : '';
  return `traffic: ${(w.requests / 5).toFixed(0)} req/s on release ${release}, 5xx ${percent(w.errors, w.requests)}${failed} (clients' view, last 5 s)`;
}

/** One line, at most `max` characters, with artifact ids cut to 7 hex digits (`2@b4061ef`). */
function short(text: string, max = 170): string {
  const one = text.replace(/\s+/g, ' ').replace(/(\d+@[0-9a-f]{7})[0-9a-f]{33}/g, '$1');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** Prints the watch's progress: every transition and command, an evaluation line every 5 s. */
function watchPrinter(term: Terminal, load: LoadGenerator, current: () => string, verbose: boolean) {
  let lastPrinted = 0;
  let lastDecision = '';
  return (event: WatchEvent) => {
    switch (event.type) {
      case 'notice':
        if (event.level === 'warning' || event.message.startsWith('notification'))
          term.line(`rollgate: ${short(event.message)}`);
        return;
      case 'transition':
        term.line(`rollgate: ${event.from} -> ${event.to}: ${short(event.reason)}`);
        return;
      case 'command':
        if (event.command === 'cutover')
          term.line(
            `rollgate: cutover to ${short(event.target ?? '')} (Deployer executor, local mode: current -> releases/${event.target?.split('@')[0]})`,
          );
        else if (event.command === 'await-ready')
          term.line('rollgate: readiness gate: probing the health URL');
        else if (event.command === 'record-verification')
          term.line('rollgate: recording a signed verification');
        else if (event.command === 'write-audit') term.line('rollgate: writing the audit record');
        return;
      case 'evaluation': {
        const breaching = event.signals.some((s) => s.status === 'breach');
        const changed = event.decision.type !== lastDecision;
        lastDecision = event.decision.type;
        if (!verbose && !breaching && !changed && event.at - lastPrinted < 5_000) return;
        lastPrinted = event.at;
        const total = event.elapsedSeconds + event.remainingSeconds;
        const signals = event.signals.map((s) => `${s.signal} ${s.status}`).join(' · ');
        const phase = event.purpose === 'bake' ? 'bake' : 'verify';
        term.line(
          `${phase} ${Math.round(event.elapsedSeconds)}s/${Math.round(total)}s: ${signals}${event.warmingUp ? ' (warm-up)' : ''}`,
        );
        const breach = event.signals.find((s) => s.status === 'breach');
        term.line(
          `  ${breach ? `${breach.signal}: ${short(breach.reason, 150)}` : trafficLine(load, current())}`,
        );
        if (verbose) for (const s of event.signals) term.line(`    ${s.signal}: ${short(s.reason, 200)}`);
        return;
      }
    }
  };
}

/**
 * Runs the whole self-healing loop once. Everything it starts is stopped before it returns or
 * throws (and on `signal`), and its temporary directory removed unless `options.keep`.
 */
export async function runDemo(options: DemoOptions, signal: AbortSignal): Promise<DemoResult> {
  const startedAt = Date.now();
  const term = createTerminal(options.json ? process.stderr : process.stdout, startedAt);
  const cleanup = new Cleanup();
  const work = await mkdtemp(join(tmpdir(), 'rollgate-demo-'));
  if (!options.keep) cleanup.add('temporary directory', () => rm(work, { recursive: true, force: true }));
  try {
    term.plain(
      `Rollgate self-healing demo (${options.healthy ? 'a good release 2: it should be kept' : 'a bad release 2: it should be rolled back'})`,
    );
    term.plain(`  work directory ${work}${options.keep ? ' (kept: --keep)' : ' (removed at the end)'}`);

    // 1. A Deployer deploy_path with release 1 live.
    const deploy = await createDeployPath(work);
    const release1 = await deploy.addRelease('1', { version: 'v1.0.0', ...GOOD_RELEASE });
    await deploy.switchTo('1');
    term.line(`deploy_path ${deploy.path}: releases/1 (${release1.artifactId.slice(0, 12)}…) is current`);

    // 2. The service and its traffic.
    const service = await startServiceProcess(deploy.path, CATALOGUE_MIB);
    cleanup.add('shop service', () => service.stop());
    await warmUp(`${service.url}/checkout`, WARM_UP_REQUESTS);
    const load = startLoad(`${service.url}/checkout`, LOAD_PER_SECOND);
    cleanup.add('load generator', () => load.stop());
    term.line(
      `shop service on ${service.url} (pid ${service.child.pid}), ${CATALOGUE_MIB} MiB catalogue in memory, warmed up with ${WARM_UP_REQUESTS} requests; load generator: ${LOAD_PER_SECOND} req/s to /checkout`,
    );

    // 3. Metrics: a real Prometheus when installed, else the exposition source.
    const metrics: MetricsBackend = await startMetricsBackend({
      serviceAddress: service.address,
      preferPrometheus: options.prometheus,
      announce: (m) => term.line(m),
    });
    cleanup.add('metrics', () => metrics.stop());
    const firstScrapeAt = Date.now();
    if (metrics.kind === 'prometheus') {
      term.line(
        `METRICS: real Prometheus ${metrics.version} on ${metrics.url}, scraping ${service.address}/metrics every ${SCRAPE_INTERVAL_SECONDS} s`,
      );
    } else {
      term.line(
        `METRICS: no Prometheus in use${options.prometheus ? '' : ' (--no-prometheus)'}: Rollgate's exposition source (createExpositionSource) scrapes ${service.url}/metrics every ${SCRAPE_INTERVAL_SECONDS} s in this process`,
      );
    }

    // 4. Release 1 recorded as verified: the rollback target.
    const stateDir = join(work, 'state');
    const config = join(work, 'rollgate.yaml');
    const healthUrl = `${service.url}/healthz`;
    let executor: Executor | undefined;
    const note = 'demo: release 1 ran without incident';
    if (metrics.kind === 'prometheus') {
      await writeFile(
        config,
        demoConfigYaml({ prometheusUrl: metrics.url, deployPath: deploy.path, healthUrl, stateDir }),
      );
      const recorded = await startRollgate(
        ['artifacts', 'record', '--config', config, '--artifact', release1.artifactId, '--note', note],
        {
          cwd: work,
        },
      ).done;
      if (recorded.code !== 0)
        throw new Error(
          `rollgate artifacts record failed (exit ${recorded.code}): ${recorded.stderr.trim()}`,
        );
      term.line(
        `release 1 recorded as verified: rollgate artifacts record --artifact ${release1.artifactId.slice(0, 12)}…`,
      );
    } else {
      executor = demoExecutor(deploy.path, healthUrl, (m) => term.line(`executor warning: ${m}`));
      const owned = executor;
      cleanup.add('executor', () => owned.dispose());
      await recordVerifiedInProcess(stateDir, executor, release1.artifactId, note);
      term.line(`release 1 recorded as verified (signed, ${statePathsOf(stateDir).artifacts})`);
    }

    // 5. The pre-deploy baseline: release 1 under load.
    term.line(
      `baseline: release 1 serves for ${BASELINE_RUN_SECONDS} s (the contract's pre-deploy window is ${DEMO_CONTRACT.baselineSeconds} s)`,
    );
    const deployDue = firstScrapeAt + BASELINE_RUN_SECONDS * 1000;
    while (Date.now() < deployDue) {
      await sleep(Math.min(5_000, deployDue - Date.now()), undefined, { signal });
      if (Date.now() < deployDue - 500) term.line(trafficLine(load, '1'));
    }

    // 6. The deploy: what `dep deploy` does (a release directory, a releases_log line, the switch).
    const behaviour = options.healthy ? GOOD_RELEASE : BAD_RELEASE;
    const release2: DeployedRelease = await deploy.addRelease('2', { version: 'v2.0.0', ...behaviour });
    await deploy.switchTo('2');
    const deployAt = Date.now();
    term.line(
      `DEPLOY: current -> releases/2 (${release2.artifactId.slice(0, 12)}…)${options.healthy ? '' : `; this release will start failing ${BAD_RELEASE.fault?.afterSeconds} s after it starts serving`}`,
    );

    // 7. The watch.
    const events: WatchEvent[] = [];
    let currentRelease = '2';
    const print = watchPrinter(term, load, () => currentRelease, options.verbose);
    const listener = (event: WatchEvent) => {
      events.push(event);
      if (event.type === 'command' && event.command === 'cutover')
        currentRelease = event.target?.split('@')[0] ?? currentRelease;
      print(event);
    };
    let faultSeen = false;
    const faultWatch = setInterval(() => {
      void serviceState(service)
        .then((state) => {
          const at = state.faultOnsets['2'];
          if (faultSeen || at === undefined) return;
          faultSeen = true;
          term.line(
            `FAULT: release 2 started failing at +${((at - deployAt) / 1000).toFixed(1)} s (~20% 5xx, twice the latency)`,
          );
        })
        .catch(() => undefined);
    }, 1_000);
    cleanup.add('fault poller', () => clearInterval(faultWatch));
    let finish: WatchFinish;
    if (metrics.kind === 'prometheus') {
      const watch = startCliWatch({
        config,
        cwd: work,
        artifactId: release2.artifactId,
        deployedAt: deployAt,
        listener,
      });
      const stop = () => watch.process.child.kill('SIGINT');
      signal.addEventListener('abort', stop, { once: true });
      cleanup.add('rollgate watch', () => {
        if (watch.process.child.exitCode === null) watch.process.child.kill('SIGKILL');
      });
      term.line(
        `$ ${watch.commandLine.replace(work, '$WORK').replace(release2.artifactId, `${release2.artifactId.slice(0, 12)}…`)}`,
      );
      finish = await watch.finished;
      signal.removeEventListener('abort', stop);
    } else {
      term.line(
        'watch: createController in this process (same contract, Deployer executor, file stores as rollgate watch)',
      );
      if (executor === undefined) throw new Error('the in-process watch needs the executor created above');
      finish = await runEmbeddedWatch({
        source: metrics.source,
        executor,
        stateDir,
        artifactId: release2.artifactId,
        deployedAt: deployAt,
        listener,
        signal,
      });
    }
    signal.throwIfAborted();
    clearInterval(faultWatch);
    const state = await serviceState(service);
    const stateAt = Date.now();
    term.line(`outcome: ${finish.outcome}: ${short(finish.reason, 200)}`);

    // 8. The HTML report, by the real CLI, kept outside the temporary directory.
    let report: string | null = null;
    let auditCopy: string | null = null;
    if (finish.audit !== null) {
      report = resolve(options.report ?? join(OUTPUT_DIR, 'rollgate-report.html'));
      await mkdir(dirname(report), { recursive: true });
      const args = [
        'report',
        finish.audit,
        '--out',
        report,
        ...(finish.watchId ? ['--watch-id', finish.watchId] : []),
      ];
      const run = await startRollgate(args, { cwd: work }).done;
      if (run.code !== 0) {
        term.line(`rollgate report failed (exit ${run.code}): ${run.stderr.trim()}`);
        report = null;
      } else {
        auditCopy = join(dirname(report), 'audit.jsonl');
        await copyFile(finish.audit, auditCopy);
        term.line(`report: ${report} (rollgate report; the audit record is copied next to it)`);
      }
    }

    // 9. The timeline.
    await load.stop();
    const endedAt = Date.now();
    const releases = { deployed: '2', previous: '1' };
    const timeline = buildTimeline(deployAt, state, events, finish, releases);
    const summary = buildSummary(timeline, finish, {
      report,
      metrics: metrics.kind,
      startedAt,
      endedAt,
      // The state directory goes with the temporary directory unless --keep: name the audit
      // record that is still there afterwards.
      audit: options.keep ? finish.audit : auditCopy,
    });
    term.plain('');
    term.plain('Timeline (seconds after the deploy):');
    for (const line of timelineLines(timeline, releases)) term.plain(line);
    if (summary.faultToCutoverSeconds !== null) {
      term.plain(
        `Fault onset to traffic back on release 1: ${summary.faultToCutoverSeconds.toFixed(1)} s (detection ${summary.faultToDetectSeconds?.toFixed(1)} s). Whole demo: ${summary.totalSeconds.toFixed(0)} s.`,
      );
    } else {
      term.plain(`Whole demo: ${summary.totalSeconds.toFixed(0)} s.`);
    }
    const totals = load.totals();
    term.plain(
      `Traffic: ${totals.requests} requests answered, ${totals.errors} 5xx, ${totals.failed} unanswered.`,
    );
    // A rollback of release 2 before it served a single faulty request is a false rollback,
    // whatever the outcome's name: the demo did not show what it is meant to.
    const asExpected = options.healthy
      ? finish.outcome === 'promoted'
      : finish.outcome === 'rolled-back' && finish.recoveryVerified === true && !summary.falseRollback;
    if (summary.falseRollback) {
      term.plain(
        `FALSE ROLLBACK: release 2 was rolled back ${timeline.faultOnsetAt === null ? 'although it never served a faulty request' : 'on evidence from before its fault began'}: ${finish.reason}`,
      );
    }
    if (!asExpected || options.verbose) {
      // The service's own record: slow requests with a late event loop mean the CPU was taken
      // (host load), not that the release is slow. Shown from the baseline window's start on.
      const from = deployAt - DEMO_CONTRACT.baselineSeconds * 1000;
      term.plain('');
      term.plain(
        `The service's own record, seconds after the deploy (the baseline is the ${DEMO_CONTRACT.baselineSeconds} s before +0):`,
      );
      for (const line of serviceRecordLines(serviceWindows(state.seconds, deployAt, from, stateAt)))
        term.plain(line);
    }
    return { summary, asExpected };
  } finally {
    const failed = await cleanup.run();
    for (const step of failed) term.line(`cleanup: ${step}`);
    if (options.keep) {
      term.plain(
        `Kept (--keep): ${work}: the deploy_path shop/, state/ (audit.jsonl, artifacts.json, snapshots/) and rollgate.yaml when Prometheus was used.`,
      );
    }
  }
}
