/**
 * `pnpm --filter @rollgate/bench run soak`: the live soak. Several shop services, each its own
 * Node process under traffic, deployed again and again (healthy releases, bad ones, low traffic,
 * traffic surges, host load), each deploy watched by the real `rollgate watch` CLI reading a real
 * Prometheus; writes the soak section of docs/benchmarks.md. About 30 minutes; not part of
 * `pnpm bench` or CI. Options: `--lanes a,b` (a subset of the lanes), `--deploys N` (the first N
 * deploys of each lane: a smoke run), `--out FILE` (another markdown file), `--json FILE` (the
 * run's every record, for `--from-json FILE`, which writes the section again from such a file
 * without running anything), `--keep` (leave the work directory: each watch's audit record).
 */
import { execFile, execFileSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findPrometheusBinary, startPrometheus } from '../../../packages/testkit/src/prometheus/index';
import type { LoadSpan } from './host-load';
import { HostLoad } from './host-load';
import type { DeployRecord } from './soak-lane';
import { type PreparedLane, prepareLane, runLane } from './soak-lane';
import { SOAK_LANES } from './soak-plan';
import { judge, soakSection } from './soak-report';
import { withSoakSection } from './soak-section-file';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
// `pnpm run soak -- --lanes a` passes the `--` through: drop it, so flags parse and the section
// quotes the command as typed.
const args = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const only = flag('--lanes')?.split(',');
const out = flag('--out') ?? join(root, 'docs', 'benchmarks.md');
const jsonOut = flag('--json');
const fromJson = flag('--from-json');
/** `--keep`: leave the work directory (each lane's state, audit records and configs) for a post-mortem. */
const keep = args.includes('--keep');
/**
 * Seconds the shops run under traffic before the first baseline window starts: a young Node
 * process's memory grows for a minute or two (V8 sizing its heap, the session store filling up),
 * which a service that has run for hours does not show.
 */
const SETTLE_SECONDS = 90;

/** Everything the section is written from (and `--json` keeps). */
interface SoakRun {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly prometheusVersion: string;
  readonly lanes: number;
  readonly loads: readonly number[];
  readonly spans: readonly LoadSpan[];
  readonly records: readonly DeployRecord[];
  readonly command: string;
}

function writeSection(run: SoakRun, log: (line: string) => void): void {
  const judged = run.records.map((r) => judge(r, run.spans));
  const section = soakSection({ ...run, judged });
  const previous = existsSync(out) ? readFileSync(out, 'utf8') : '# Benchmarks\n';
  writeFileSync(out, withSoakSection(previous, section));
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'biome'), ['format', '--write', out], {
      stdio: 'ignore',
    });
  } catch {
    log(`could not format ${out} with biome: run pnpm format before committing it`);
  }
  for (const j of judged)
    log(
      `shop-${j.record.lane} #${j.record.index} ${j.record.deploy.kind}: ${j.record.finish.outcome}: ${j.verdict}`,
    );
  log(`wrote the soak section of ${out}`);
}

if (fromJson !== undefined) {
  writeSection(JSON.parse(readFileSync(fromJson, 'utf8')) as SoakRun, (line) =>
    process.stderr.write(`[soak] ${line}\n`),
  );
  process.exit(0);
}
const maxDeploys = Number(flag('--deploys') ?? Number.POSITIVE_INFINITY);
const lanes = SOAK_LANES.filter((l) => only === undefined || only.includes(l.id)).map((l) => ({
  ...l,
  deploys: l.deploys.slice(0, maxDeploys),
}));
if (lanes.length === 0) {
  process.stderr.write(
    `soak: no lane matches --lanes ${only?.join(',')} (lanes: ${SOAK_LANES.map((l) => l.id).join(', ')})\n`,
  );
  process.exit(2);
}

const started = Date.now();
const log = (line: string) =>
  process.stderr.write(`[soak ${((Date.now() - started) / 1000).toFixed(0).padStart(5)}s] ${line}\n`);
const stop = new AbortController();
// Every lane's watch, surge, host load and wait listens for the soak's end at once.
setMaxListeners(100, stop.signal);
process.on('SIGINT', () => {
  log('SIGINT: stopping every watch, service and load; no figures are written');
  stop.abort();
});

const hostLoad = new HostLoad();
// The machine's 1-minute load average every 10 s: the soak's figures depend on it.
const loads: number[] = [];
const loadSampler = setInterval(() => loads.push(loadavg()[0] ?? 0), 10_000);
loadSampler.unref();
const work = await mkdtemp(join(tmpdir(), 'rollgate-soak-'));
const prepared: PreparedLane[] = [];
let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;
try {
  const binary = findPrometheusBinary();
  const printed = await promisify(execFile)(binary, ['--version']);
  const version = /version (\S+)/.exec(`${printed.stdout}${printed.stderr}`)?.[1] ?? 'unknown version';
  for (const lane of lanes) {
    prepared.push(await prepareLane(lane, work));
    log(`lane ${lane.id}: shop on ${prepared.at(-1)?.service.url}, ${lane.rps} req/s (${lane.arrivals})`);
  }
  prometheus = await startPrometheus({
    scrapeTargets: prepared.map((p) => ({ address: p.service.address, labels: { lane: p.lane.id } })),
    scrapeIntervalSeconds: 1,
    jobName: 'soak',
  });
  await prometheus.waitForTargetsUp({ timeoutMs: 30_000 });
  const firstScrapeAt = Date.now() + SETTLE_SECONDS * 1000;
  log(
    `Prometheus ${version} on ${prometheus.url}, scraping ${prepared.length} shops every second; the shops settle for ${SETTLE_SECONDS} s before the first baseline`,
  );
  const url = prometheus.url;
  const records = (
    await Promise.all(
      prepared.map((p, i) =>
        runLane(p, {
          prometheusUrl: url,
          firstScrapeAt,
          offsetSeconds: i * 10,
          hostLoad,
          log,
          signal: stop.signal,
        }),
      ),
    )
  ).flat();
  const run: SoakRun = {
    startedAt: started,
    endedAt: Date.now(),
    prometheusVersion: version,
    lanes: prepared.length,
    loads,
    spans: hostLoad.spans(),
    records,
    command: `pnpm --filter @rollgate/bench run soak${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
  };
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(run, null, 2)}\n`);
  writeSection(run, log);
} catch (error) {
  if (!stop.signal.aborted) {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  process.exitCode = 1;
} finally {
  hostLoad.stopAll();
  await Promise.allSettled(prepared.map((p) => p.load.stop()));
  await Promise.allSettled(prepared.map((p) => p.service.stop()));
  await prometheus?.stop();
  if (keep) log(`kept the work directory (state, audit records, configs): ${work}`);
  else await rm(work, { recursive: true, force: true });
}
setTimeout(() => process.exit(), 2_000).unref();
