import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRollgate } from '../../../examples/src/cli/rollgate-cli';
import { createDeployPath, type DeployPath } from '../../../examples/src/deploy/deploy-path';
import { type LoadGenerator, startLoad } from '../../../examples/src/load/load-generator';
import { warmUp } from '../../../examples/src/load/warm-up';
import { type ServiceProcess, startServiceProcess } from '../../../examples/src/service/service-process';
import type { ServiceState } from '../../../examples/src/service/shop-service';
import { startCliWatch } from '../../../examples/src/watch/cli-watch';
import { demoConfigYaml } from '../../../examples/src/watch/demo-contract';
import type { WatchEvent, WatchFinish } from '../../../examples/src/watch/watch-events';
import type { HostLoad } from './host-load';
import type { SoakDeploy, SoakLane } from './soak-plan';

/** What one deploy of the soak did, as its watch and the service recorded it. */
export interface DeployRecord {
  readonly lane: string;
  /** Its position in the lane (1-based) and its release directory. */
  readonly index: number;
  readonly release: string;
  readonly deploy: SoakDeploy;
  /** Epoch ms. */
  readonly deployAt: number;
  readonly endedAt: number;
  readonly finish: WatchFinish;
  /** Epoch ms of the breach confirmation (the watch left Watching for Validating), or null. */
  readonly detectedAt: number | null;
  /**
   * The confirmed breach as the watch explained it (the reason of its move to Validating): why it
   * rolled back, where the outcome's reason may tell why the recovery was not verified. Null
   * without a breach (absent in records of soaks run before it was kept).
   */
  readonly breachReason?: string | null;
  /** Epoch ms of the release's first faulty request (the service's record), or null. */
  readonly faultOnsetAt: number | null;
  /** The service's record from the baseline window's start to the watch's end. */
  readonly service: ServiceState;
  /** The first evaluation's time (epoch ms): how late the watch started under the machine's load. */
  readonly firstEvaluationAt: number | null;
}

/** A lane ready to deploy: its service runs, warmed up, under its traffic. */
export interface PreparedLane {
  readonly lane: SoakLane;
  readonly service: ServiceProcess;
  readonly deployPath: DeployPath;
  readonly load: LoadGenerator;
  readonly work: string;
  readonly release1: string;
}

/** Epoch ms, as a short local time for the log. */
const clock = (at: number) => new Date(at).toISOString().slice(11, 19);

/** Starts the lane's shop on release 1 with its traffic (before Prometheus starts scraping it). */
export async function prepareLane(lane: SoakLane, work: string): Promise<PreparedLane> {
  const dir = join(work, `lane-${lane.id}`);
  await mkdir(dir, { recursive: true });
  const deployPath = await createDeployPath(dir);
  const first = lane.deploys.find((d) => d.expect === 'keep');
  if (first === undefined) throw new Error(`lane ${lane.id} has no healthy deploy to model release 1 on`);
  const release1 = await deployPath.addRelease('1', { version: 'v1', ...first.behaviour });
  await deployPath.switchTo('1');
  const service = await startServiceProcess(deployPath.path, 0, {
    sessions: lane.sessions,
    ...(lane.workers === undefined ? {} : { workers: lane.workers }),
  });
  // A young Node process grows for a minute or two (see warmUp); a real service has served for hours.
  await warmUp(`${service.url}/checkout`, 4_000);
  const load = startLoad(`${service.url}/checkout`, lane.rps, 400, lane.arrivals);
  return { lane, service, deployPath, load, work: dir, release1: release1.artifactId };
}

async function serviceState(service: ServiceProcess): Promise<ServiceState> {
  const response = await fetch(`${service.url}/_demo/state`);
  return (await response.json()) as ServiceState;
}

/**
 * Runs the lane's deploys one after another, each through the real `rollgate watch` CLI:
 * a full baseline of a healthy release before each deploy, the release switched in as `dep
 * deploy` does, the surge or host load of the plan around it, and the watch to its outcome.
 * A bad release the watch did not roll back is put back by hand (as an operator would) so the
 * next deploy starts from a healthy baseline.
 */
export async function runLane(
  prepared: PreparedLane,
  options: {
    readonly prometheusUrl: string;
    /** When Prometheus first scraped the lane (epoch ms): the first baseline starts after it. */
    readonly firstScrapeAt: number;
    /** Seconds the first deploy waits beyond its baseline, so lanes do not deploy in lockstep. */
    readonly offsetSeconds: number;
    readonly hostLoad: HostLoad;
    readonly log: (line: string) => void;
    readonly signal: AbortSignal;
  },
): Promise<DeployRecord[]> {
  const { lane, service, deployPath, load, work } = prepared;
  const { log, signal } = options;
  const t = lane.timings;
  const config = join(work, 'rollgate.yaml');
  await writeFile(
    config,
    demoConfigYaml(
      {
        prometheusUrl: options.prometheusUrl,
        deployPath: deployPath.path,
        healthUrl: `${service.url}/healthz`,
        stateDir: join(work, 'state'),
      },
      // No cooldown: the soak deploys every few minutes and judges each deploy on its own.
      {
        service: `shop-${lane.id}`,
        selector: { job: 'soak', lane: lane.id },
        timings: t,
        cooldownSeconds: 0,
      },
    ),
  );
  const recorded = await startRollgate(
    ['artifacts', 'record', '--config', config, '--artifact', prepared.release1, '--note', 'soak: release 1'],
    { cwd: work },
  ).done;
  if (recorded.code !== 0)
    throw new Error(
      `lane ${lane.id}: rollgate artifacts record failed (${recorded.code}): ${recorded.stderr.trim()}`,
    );

  const records: DeployRecord[] = [];
  const artifacts = new Map<string, string>([['1', prepared.release1]]);
  let good = '1';
  let readyAt = options.firstScrapeAt + (t.baselineSeconds + 3 + options.offsetSeconds) * 1000;
  for (const [i, deploy] of lane.deploys.entries()) {
    const wait = readyAt - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal });
    const name = String(i + 2);
    const release = await deployPath.addRelease(name, { version: `v${name}`, ...deploy.behaviour });
    artifacts.set(name, release.artifactId);
    await deployPath.switchTo(name);
    const deployAt = Date.now();
    log(`lane ${lane.id} #${i + 1} ${clock(deployAt)}: deploy release ${name} (${deploy.kind})`);

    const around = new AbortController();
    const stopAround = () => around.abort();
    signal.addEventListener('abort', stopAround, { once: true });
    const extras: Promise<unknown>[] = [];
    if (deploy.surge) {
      const { afterSeconds, factor, seconds } = deploy.surge;
      extras.push(
        (async () => {
          await sleep(afterSeconds * 1000, undefined, { signal: around.signal });
          load.setRate(lane.rps * factor);
          try {
            await sleep(seconds * 1000, undefined, { signal: around.signal });
          } finally {
            load.setRate(lane.rps);
          }
        })().catch(() => undefined),
      );
    }
    if (deploy.hostLoad) {
      const { afterSeconds, processes, seconds } = deploy.hostLoad;
      extras.push(
        sleep(afterSeconds * 1000, undefined, { signal: around.signal })
          .then(() => options.hostLoad.hold(processes, seconds, around.signal))
          .catch(() => undefined),
      );
    }

    const events: WatchEvent[] = [];
    const watch = startCliWatch({
      config,
      cwd: work,
      artifactId: release.artifactId,
      deployedAt: deployAt,
      listener: (e) => events.push(e),
    });
    // Bounded: a watch that hangs must not hang the soak (bake, extensions, verification, margin).
    const limit =
      (t.bakeSeconds +
        t.promotion.extendSeconds * t.promotion.maxExtensions +
        t.verification.windowSeconds +
        180) *
      1000;
    const killer = setTimeout(() => watch.process.child.kill('SIGKILL'), limit);
    const kill = () => watch.process.child.kill('SIGINT');
    signal.addEventListener('abort', kill, { once: true });
    const finish = await watch.finished;
    clearTimeout(killer);
    signal.removeEventListener('abort', kill);
    // A surge or host load outlasting a short watch ends with it.
    around.abort();
    signal.removeEventListener('abort', stopAround);
    await Promise.all(extras);
    const endedAt = Date.now();
    const state = await serviceState(service);
    const detected = events.find((e) => e.type === 'transition' && e.to === 'Validating');
    const firstEvaluation = events.find((e) => e.type === 'evaluation');
    const record: DeployRecord = {
      lane: lane.id,
      index: i + 1,
      release: name,
      deploy,
      deployAt,
      endedAt,
      finish,
      detectedAt: detected?.at ?? finish.breachConfirmedAt,
      breachReason: detected?.type === 'transition' ? detected.reason : null,
      faultOnsetAt: state.faultOnsets[name] ?? null,
      service: {
        ...state,
        seconds: state.seconds.filter((s) => s.second * 1000 >= deployAt - t.baselineSeconds * 1000),
      },
      firstEvaluationAt: firstEvaluation?.at ?? null,
    };
    records.push(record);
    log(
      `lane ${lane.id} #${i + 1} ${clock(endedAt)}: ${finish.outcome}${record.detectedAt ? ` (confirmed +${((record.detectedAt - deployAt) / 1000).toFixed(1)} s)` : ''}: ${finish.reason.slice(0, 220)}`,
    );

    // The next deploy starts from a healthy release with a full baseline of it.
    if (finish.outcome === 'rolled-back') {
      good = finish.restoredArtifact?.split('@')[0] ?? good;
    } else if (finish.outcome === 'promoted' && deploy.expect === 'keep') {
      good = name;
    }
    if ((await deployPath.current()) !== good) {
      // A bad release kept (missed, or held): put the good one back and record it again as
      // verified, so it, not the bad one a promotion recorded, is the next rollback's target.
      log(
        `lane ${lane.id} #${i + 1}: put release ${good} back by hand (the watch left release ${name} serving)`,
      );
      await deployPath.switchTo(good);
      const again = await startRollgate(
        [
          'artifacts',
          'record',
          '--config',
          config,
          '--artifact',
          artifacts.get(good) ?? '',
          '--note',
          'soak: put back by hand',
        ],
        { cwd: work },
      ).done;
      if (again.code !== 0) log(`lane ${lane.id}: rollgate artifacts record failed: ${again.stderr.trim()}`);
    }
    readyAt = Date.now() + (t.baselineSeconds + 3) * 1000;
  }
  return records;
}
