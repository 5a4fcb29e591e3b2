import { existsSync } from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, freshSchema, postgresServer } from './support/postgres-server';
import {
  buildDeployPath,
  bundleRacingController,
  type RaceEvent,
  type Racer,
  seeded,
  seedVerified,
  startRacer,
  timeline,
} from './support/race-harness';

// Three controller processes race for the same watch, on one PostgreSQL, with the Deployer
// executor switching a real release directory. In every run one owner is SIGKILLed at a phase,
// or stops itself with SIGSTOP at a phase and is woken after another controller took its lease
// over. Each run must end with exactly one cutover, one audit record, and no command from a
// controller after its lease moved on.

const TTL_MS = 2_000;
const RUNS = 50;

/** Where the owner is killed (SIGKILL while blocked there) or paused (SIGSTOP). */
const KILL_POINTS = [
  'acquired',
  'command:identify-current',
  'command:evaluate',
  'saved:Validating',
  'command:find-onset',
  'command:retrieve-target',
  'command:cutover',
  'after-switch',
  'command:await-ready',
  'saved:Verifying',
  'command:write-audit',
  'after-audit',
];
const STOP_POINTS = [
  'saved:Watching',
  'command:evaluate',
  'saved:Retrieving',
  'command:cutover',
  'saved:Verifying',
  'command:write-audit',
];
const SCENARIOS = [
  ...KILL_POINTS.map((point) => ({ action: 'block' as const, point })),
  ...STOP_POINTS.map((point) => ({ action: 'stop' as const, point })),
];

interface RunFigures {
  readonly run: number;
  readonly scenario: string;
  readonly cutovers: number;
  readonly handOverMs: number | null;
  readonly acquisitions: number;
}
const figures: RunFigures[] = [];

let bundle: { file: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  bundle = await bundleRacingController();
  await postgresServer();
}, 120_000);

afterAll(async () => {
  await bundle?.cleanup();
  if (figures.length === 0) return;
  const handOvers = figures
    .map((f) => f.handOverMs)
    .filter((ms): ms is number => ms !== null)
    .sort((a, b) => a - b);
  const at = (q: number) => handOvers[Math.min(handOvers.length - 1, Math.floor(q * handOvers.length))];
  console.log(
    `controller race: ${figures.length} runs, ${figures.reduce((n, f) => n + f.cutovers, 0)} cutovers in all ` +
      `(${figures.filter((f) => f.cutovers === 1).length} runs with exactly one), ` +
      `${figures.reduce((n, f) => n + f.acquisitions, 0)} lease grants; lease hand-over after the owner died or stopped ` +
      `(ttl ${TTL_MS} ms): min ${handOvers[0]} ms, median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${handOvers.at(-1)} ms`,
  );
});

describe.concurrent('three controllers race for one watch (real PostgreSQL, real release directory)', () => {
  for (let run = 0; run < RUNS; run++) {
    const scenario = SCENARIOS[run % SCENARIOS.length] as (typeof SCENARIOS)[number];
    const label = `${scenario.action === 'block' ? 'SIGKILL' : 'SIGSTOP'} at ${scenario.point}`;
    it(`run ${run}: ${label}: exactly one cutover, nothing done under a lost lease`, async () => {
      const result = await race(run, scenario);
      figures.push(result);
    }, 150_000);
  }
});

async function race(run: number, scenario: (typeof SCENARIOS)[number]): Promise<RunFigures> {
  const random = seeded(7919 * (run + 1));
  const server = await postgresServer();
  const schema = freshSchema('race');
  const { deployPath, cleanup } = await buildDeployPath();
  const events: RaceEvent[] = [];
  const note = (ev: string, fields: Record<string, unknown> = {}) =>
    events.push({ at: Date.now(), name: 'test', ev, ...fields });
  const racers: Racer[] = [];
  try {
    const { deployed, target } = await seedVerified(server.url, schema, deployPath);
    note('seeded');
    const watchId = `checkout--race-${run}`;
    const env = {
      PG_URL: server.url,
      PG_SCHEMA: schema,
      DEPLOY_PATH: deployPath,
      DEPLOYED_AT: String(Date.now()),
      ARTIFACT_ID: deployed,
      WATCH_ID: watchId,
      TTL_MS: String(TTL_MS),
      POINT: scenario.point,
      ACTION: scenario.action,
      MARK_FILE: join(deployPath, '..', 'point-reached'),
    };
    note('scenario', { run, ...scenario });

    let victim: { racer: Racer; token: number; at: number } | null = null;
    let woken = false;
    const wake = (racer: Racer) => {
      if (woken) return;
      woken = true;
      note('SIGCONT', { to: racer.name });
      racer.child.kill('SIGCONT');
    };
    const onEvent = (racer: Racer, event: RaceEvent) => {
      events.push(event);
      if (event.ev === 'at') {
        victim = { racer, token: event.token ?? 0, at: Date.now() };
        if (scenario.action === 'block') {
          note('SIGKILL', { to: racer.name });
          racer.child.kill('SIGKILL');
        } else {
          note('stopped', { who: racer.name });
        }
      }
      // A paused owner wakes once another controller holds its lease: at once (while the new
      // owner works) or after the others finished, as the run's seed says.
      if (
        scenario.action === 'stop' &&
        victim &&
        racer !== victim.racer &&
        event.ev === 'lease' &&
        event.type === 'acquired' &&
        (event.token ?? 0) > victim.token
      ) {
        const stopped = victim.racer;
        if (random() < 0.5) setTimeout(() => wake(stopped), Math.floor(random() * 300));
      }
    };
    for (const name of ['ctl-a', 'ctl-b', 'ctl-c']) {
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 250)));
      racers.push(startRacer(bundle.file, name, env, onEvent));
      note('spawned', { name });
    }
    // Wait for the others (a paused owner does not finish while paused); then wake a paused
    // owner that is still asleep, and wait for it too.
    const othersDone = async () => {
      for (;;) {
        const paused = scenario.action === 'stop' ? (victim as { racer: Racer } | null)?.racer : undefined;
        const pending = racers.filter((r) => r !== paused && !r.done());
        if (pending.length === 0) return;
        await Promise.race([
          ...pending.map((r) => r.exited),
          new Promise((resolve) => setTimeout(resolve, 200)),
        ]);
      }
    };
    const deadline = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the race did not finish within 120 s')), 120_000),
    );
    await Promise.race([othersDone(), deadline]);
    const paused = victim as { racer: Racer } | null;
    if (scenario.action === 'stop' && paused) wake(paused.racer);
    const exits = await Promise.race([Promise.all(racers.map((r) => r.exited)), deadline]);
    note('all exited', { exits });

    // --- what happened -------------------------------------------------------------------
    const admin = await adminPool();
    const audits = (
      await admin.query(`SELECT outcome, restored_artifact FROM "${schema}".audit WHERE watch_id = $1`, [
        watchId,
      ])
    ).rows;
    const stateRow = (
      await admin.query(`SELECT snapshot FROM "${schema}".state WHERE key = $1`, [`watch/${watchId}`])
    ).rows[0];
    const snapshot = stateRow ? (JSON.parse(stateRow.snapshot as string) as { state: string }) : null;
    const link = await readlink(join(deployPath, 'current'));
    const journal = JSON.parse(
      await readFile(join(deployPath, '.dep', 'rollgate-cutover.json'), 'utf8').catch(() => 'null'),
    );

    const all = racers.flatMap((r) => r.events);
    const switches = all.filter((e) => e.ev === 'cutover' && e.changed === true);
    const grants = all.filter((e) => e.ev === 'lease' && e.type === 'acquired').sort((a, b) => a.at - b.at);
    const acts = all.filter((e) => e.ev === 'command' || e.ev === 'exec');

    try {
      expect(victim, 'a controller reached the kill point').not.toBeNull();
      const v = victim as unknown as { racer: Racer; token: number; at: number };
      // Exactly one cutover, and traffic ends on the verified release.
      expect(switches).toHaveLength(1);
      expect(link).toBe('releases/1');
      expect(existsSync(join(deployPath, '.dep', 'deploy.lock'))).toBe(false);
      // One audit record, rolled back to the verified artifact; the stored watch finished.
      expect(audits).toEqual([{ outcome: 'rolled-back', restored_artifact: target }]);
      expect(snapshot?.state).toBe('RolledBack');
      // Every controller that finished agrees; the victim died, or woke and stopped.
      for (const racer of racers) {
        const last = racer.events.at(-1);
        if (racer === v.racer) {
          if (scenario.action === 'block') expect((await racer.exited).signal).toBe('SIGKILL');
          else {
            expect(last).toMatchObject({ ev: 'stopped', code: 'LEASE_LOST' });
            expect((await racer.exited).code).toBe(75);
          }
        } else if (last?.ev === 'stopped') {
          // On a busy machine a controller can stall past its lease and lose it to another
          // one: it must stop, and the checks below make sure it did nothing afterwards.
          expect(last).toMatchObject({ ev: 'stopped', code: 'LEASE_LOST' });
          expect((await racer.exited).code).toBe(75);
        } else {
          expect(last).toMatchObject({ ev: 'result', outcome: 'rolled-back' });
          expect((await racer.exited).code).toBe(0);
        }
      }
      expect(all.some((e) => e.ev === 'result' && e.outcome === 'rolled-back')).toBe(true);
      // Tokens only grow, one grant at a time.
      const tokens = grants.map((g) => g.token as number);
      expect(tokens).toEqual([...new Set(tokens)].sort((a, b) => a - b));
      // Nothing was done under a lease that had moved on: every command and executor call of a
      // controller precedes the grant of a greater token to another controller.
      for (const act of acts) {
        const superseded = grants.find((g) => g.name !== act.name && (g.token ?? 0) > (act.token ?? 0));
        if (superseded)
          expect(
            act.at,
            `${act.name} ${act.ev} ${act.type ?? act.method} after token ${superseded.token}`,
          ).toBeLessThan(superseded.at);
      }
      // The paused owner did nothing after it woke.
      if (scenario.action === 'stop') {
        const wokeAt = v.racer.events.find((e) => e.ev === 'woke')?.at ?? Number.POSITIVE_INFINITY;
        expect(v.racer.events.some((e) => e.ev === 'woke')).toBe(true);
        expect(acts.filter((e) => e.name === v.racer.name && e.at >= wokeAt)).toEqual([]);
      }
      if (journal !== null)
        expect(journal).toMatchObject({ operationId: `${watchId}/rollback`, phase: 'done' });
    } catch (error) {
      const stderr = racers.map((r) => `--- ${r.name} stderr:\n${r.stderr()}`).join('\n');
      throw new Error(
        `${(error as Error).message}\n\nrun ${run} (${scenario.action} at ${scenario.point}) timeline:\n${timeline(events)}\n${stderr}`,
      );
    }
    if (process.env.ROLLGATE_RACE_TIMELINE) console.log(timeline(events));
    const v = victim as unknown as { racer: Racer; token: number; at: number };
    const next = grants.find((g) => g.name !== v.racer.name && (g.token ?? 0) > v.token);
    return {
      run,
      scenario: `${scenario.action} ${scenario.point}`,
      cutovers: switches.length,
      handOverMs: next ? next.at - v.at : null,
      acquisitions: grants.length,
    };
  } catch (error) {
    if ((error as Error).message.includes('timeline:')) throw error;
    const stderr = racers.map((r) => `--- ${r.name} stderr:\n${r.stderr()}`).join('\n');
    throw new Error(`${(error as Error).message}\n\nrun ${run} timeline:\n${timeline(events)}\n${stderr}`);
  } finally {
    for (const racer of racers) {
      racer.child.kill('SIGCONT');
      racer.child.kill('SIGKILL');
    }
    await cleanup();
  }
}
