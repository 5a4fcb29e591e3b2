import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningPostgres, startPostgres } from '@rollgate/testkit/postgres';
import {
  type RunningPrometheus,
  startPrometheus,
  startTestExporter,
  type TestExporter,
} from '@rollgate/testkit/prometheus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, sleep, startCli as startCliProcess } from '../support/cli-process';
import { createDeployerLayout, type DeployerLayout } from '../support/deployer-layout';

// Two places the watch lease shows in the CLI: two `rollgate watch` processes on one state
// directory (the second exits 75, or waits with --wait), and `state: { type: postgres }`, where
// consecutive runs from fresh working directories (CI runners) share verified artifacts.

const SIGNING_SECRET = 'ci-signing-secret-5c1e9a7b3d2f40686e1a';

/** The CLI from source with the configuration in `workspace` (a CI runner's checkout). */
const startCli = (args: readonly string[], workspace: string, env: Record<string, string> = {}) =>
  startCliProcess([...args, '--config', join(workspace, 'rollgate.yaml')], {
    env: { ROLLGATE_SIGNING_SECRET: SIGNING_SECRET, ...env },
  });

describe('rollgate watch: one watch per service (lease), and PostgreSQL state', () => {
  let dir: string;
  let layout: DeployerLayout;
  let exporter: TestExporter;
  let prometheus: RunningPrometheus;
  let postgres: RunningPostgres;
  let loading = true;
  let load: Promise<void>;
  const BAD = new Set(['2']);

  const yaml = (state: string, bakeSeconds: number) => `service: shop
contract:
  stepSeconds: 1
  bakeSeconds: ${bakeSeconds}
  warmupSeconds: 1
  coldStartSeconds: 2
  baselineSeconds: 10
  verification: { windowSeconds: 4 }
  signals:
    - id: error-rate
      kind: error-rate
      selector: { job: rollgate-test }
      rules: [{ type: sequential, test: baseline }]
      minSamples: 20
      maxLagSeconds: 5
sources:
  prom: { type: prometheus, url: ${prometheus.url} }
executor: { type: deployer, deployPath: ${layout.deployPath} }
state: ${state}
guardrails: { cooldownSeconds: 0 }
`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rollgate-watch-lease-'));
    layout = await createDeployerLayout(dir);
    await layout.addRelease('1', 'aaa111');
    await layout.switchTo('1');
    exporter = await startTestExporter();
    [prometheus, postgres] = await Promise.all([
      startPrometheus({ scrapeTargets: [exporter.address], scrapeIntervalSeconds: 1 }),
      startPostgres(),
    ]);
    let tick = 0;
    load = (async () => {
      while (loading) {
        tick += 1;
        const errors = BAD.has(await layout.current()) ? 6 : tick % 10 === 0 ? 1 : 0;
        exporter.recordRequests({ code: 200, count: 20 - errors, seconds: 0.02 });
        if (errors > 0) exporter.recordRequests({ code: 500, count: errors, seconds: 0.02 });
        await sleep(100);
      }
    })();
    await prometheus.waitForTargetsUp();
    await sleep(11_000);
  }, 120_000);

  afterAll(async () => {
    loading = false;
    await load;
    await Promise.all([prometheus?.stop(), postgres?.stop(), exporter?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a second watch of the service exits 75 at once; with --wait it waits for the lease, then continues the same watch', async () => {
    const cwd = join(dir, 'files');
    await mkdir(cwd, { recursive: true });
    await writeFile(join(cwd, 'rollgate.yaml'), yaml('{ dir: state }', 30));
    // The deploy time is now: the baseline before it has the load generator's traffic.
    const first = startCli(['watch', '--json', '--deployed-at', new Date().toISOString()], cwd);
    for (let i = 0; i < 600 && !first.stdout().includes('"type":"evaluation"'); i++) await sleep(50);
    expect(first.stdout()).toContain('"type":"evaluation"');
    const firstStart = jsonLines(first.stdout()).find((e) => e.type === 'start');

    const refused = await startCli(['watch', '--json'], cwd).done;
    expect(refused.code, refused.stderr).toBe(75);
    expect(refused.stderr).toMatch(
      /LEASE_HELD: Another controller is watching "shop": its lease is held by \S+\/\d+\/\w+ \(pid \d+/,
    );
    expect(refused.stderr).toContain('--wait');
    expect(jsonLines(refused.stdout).at(-1)).toMatchObject({
      type: 'summary',
      outcome: 'error',
      exitCode: 75,
    });

    const waiting = startCli(['watch', '--json', '--wait'], cwd);
    for (let i = 0; i < 600 && !waiting.stdout().includes('waiting for it (--wait)'); i++) await sleep(50);
    expect(waiting.stdout()).toContain('waiting for it (--wait)');
    // The first watch is stopped (SIGTERM releases the lease); the waiting one takes it over.
    first.child.kill('SIGTERM');
    const [a, b] = await Promise.race([
      Promise.all([first.done, waiting.done]),
      sleep(120_000).then(() => {
        throw new Error(`did not finish:\n--- first:\n${first.stdout()}\n--- waiting:\n${waiting.stdout()}`);
      }),
    ]);
    expect(a.code, a.stderr).toBe(143);
    expect(b.code, b.stderr).toBe(0);
    const bEvents = jsonLines(b.stdout);
    expect(bEvents.find((e) => e.type === 'start')).toMatchObject({
      watchId: firstStart?.watchId,
      resumed: true,
    });
    expect(bEvents.at(-1)).toMatchObject({ outcome: 'promoted', watchId: firstStart?.watchId });
    const audit = (await readFile(join(cwd, 'state', 'audit.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(audit).toHaveLength(1);
  }, 180_000);

  it('with state.type postgres, a run from a fresh directory rolls back to the artifact an earlier run verified', async () => {
    const url = await postgres.createDatabase('ci_runs');
    const state = `{ type: postgres, url: "\${DATABASE_URL}", signing: { type: hmac, secret: "\${ROLLGATE_SIGNING_SECRET}" } }`;
    const env = { DATABASE_URL: url };
    // CI run 1, in its own workspace: release 1 is healthy and is promoted (verified in the database).
    const runner1 = join(dir, 'runner-1');
    await mkdir(runner1, { recursive: true });
    await writeFile(join(runner1, 'rollgate.yaml'), yaml(state, 4));
    const promoted = await startCli(['watch', '--json'], runner1, env).done;
    expect(promoted.code, promoted.stderr).toBe(0);

    // CI run 2, a fresh runner: nothing on disk, release 2 is bad.
    await layout.addRelease('2', 'bbb222');
    const deployedAt = new Date().toISOString();
    await layout.switchTo('2');
    const runner2 = join(dir, 'runner-2');
    await mkdir(runner2, { recursive: true });
    await writeFile(join(runner2, 'rollgate.yaml'), yaml(state, 14));
    const rolledBack = await startCli(['watch', '--json', '--deployed-at', deployedAt], runner2, env).done;
    expect(rolledBack.code, rolledBack.stderr).toBe(10);
    expect(jsonLines(rolledBack.stdout).at(-1)).toMatchObject({
      outcome: 'rolled-back',
      failedArtifact: '2@bbb222',
      restoredArtifact: '1@aaa111',
      audit: expect.stringMatching(
        /^postgresql:\/\/rollgate@127\.0\.0\.1:\d+\/ci_runs \(table rollgate\.audit\)$/,
      ),
    });
    expect(await layout.current()).toBe('1');

    const listed = await startCli(['artifacts', 'list', '--json'], runner2, env).done;
    expect(listed.code, listed.stderr).toBe(0);
    expect(jsonLines(listed.stdout).find((l) => l.type === 'artifact')).toMatchObject({
      artifact: '1@aaa111',
      signatureValid: true,
    });
    for (const run of [promoted, rolledBack, listed]) {
      expect(run.stdout + run.stderr).not.toContain(postgres.password);
      expect(run.stdout + run.stderr).not.toContain(SIGNING_SECRET);
    }
  }, 180_000);
});
