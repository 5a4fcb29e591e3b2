/**
 * The audit record of one fleet watch (the default contract on the fleet's in-memory source, a
 * `--hours` bake, 5 s steps) and the JSON of every controller event (evaluations, transitions, steps with their in-memory snapshots), hashed, for each checkout given:
 * the same hash says a change to how the engine builds or saves its verdicts left what the audit
 * and the events read unchanged (docs/benchmarks.md, "verdict13-issue-13"). Each argument is a
 * checkout's root; its `packages/core/src` is imported. From bench/:
 *
 *   node --conditions=source --import tsx src/fleet-audit-hash.ts --hours 2 /work/wt/before ..
 *
 * Prints one JSON line per checkout: the audit record's sha256 and bytes, the events' sha256,
 * the watch's outcome, the stored per-step record's schema and mean bytes (which may differ), and
 * the sha256 of every save's key and JSON text in order (the same when a change to the save's
 * planning writes what it wrote).
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Core from '@rollgate/core';
import type * as Testing from '@rollgate/core/testing';
import { positiveIntegerOption } from './script-options';
import { stepData } from './sections/engine';
import { BASELINE_STEPS, START, STEP_MS } from './sections/fleet';

const args = process.argv.slice(2);
const hours = positiveIntegerOption(args, 'hours', 2);
const roots = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (roots.length === 0) throw new Error('fleet-audit-hash: give one or more checkout roots');

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

for (const dir of roots) {
  const at = (path: string) => pathToFileURL(resolve(dir, 'packages/core/src', path)).href;
  const core = (await import(at('index.ts'))) as typeof Core;
  const testing = (await import(at('testing/index.ts'))) as typeof Testing;
  const steps = (hours * 3600_000) / STEP_MS;
  const clock = new testing.SimulatedClock(START + BASELINE_STEPS * STEP_MS);
  const source = new testing.MemoryMetricSource({
    clock,
    startMs: START,
    stepMs: STEP_MS,
    steps: stepData(BASELINE_STEPS + steps + 20),
  });
  const state = testing.createMemoryStateStore();
  const audit = testing.createMemoryAuditSink();
  let records = 0;
  let recordBytes = 0;
  let schema = '';
  // Every key's saved text, in order: a change to how a save is planned that writes the same
  // text says so (records and parts; docs/benchmarks.md, `fleet19-issue-13`).
  const saved = createHash('sha256');
  const save = state.save.bind(state);
  state.save = (key, value, ctx) => {
    saved.update(`${key}:${JSON.stringify(value)}\n`);
    if (key.startsWith('watch/') && value !== null) {
      records++;
      recordBytes += JSON.stringify(value).length;
      schema = (value as { schema?: string }).schema ?? '';
    }
    return save(key, value, ctx);
  };
  const contract = core.parseContract({
    service: 'svc-0',
    stepSeconds: STEP_MS / 1000,
    baselineSeconds: BASELINE_STEPS * (STEP_MS / 1000),
    bakeSeconds: hours * 3600,
    signals: core.defaultSignals(),
  });
  const controller = core.createController({
    contract,
    sources: { default: source },
    executor: testing.createMemoryExecutor({ artifacts: [{ id: 'new' }], current: 'new' }),
    artifacts: testing.createMemoryArtifactStore({ signer: testing.insecureTestSigner() }),
    state,
    audit,
    notifier: testing.createRecordingNotifier(),
    clock,
    settleMs: 0,
    controlPollMs: STEP_MS,
  });
  const events = createHash('sha256');
  for (const name of ['evaluation', 'transition', 'step'] as const) {
    (controller.events as unknown as { on: (e: string, f: (x: unknown) => void) => void }).on(name, (x) =>
      events.update(`${name}:${JSON.stringify(x)}\n`),
    );
  }
  const deployAt = clock.now();
  const result = controller.watch({ artifactId: 'new', deployedAt: deployAt }, { watchId: 'svc-0--new' });
  let done = false;
  void result.finally(() => {
    done = true;
  });
  while (!done) {
    await new Promise((r) => setImmediate(r));
    const next = clock.nextDue;
    if (next === undefined) {
      if (done) break;
      continue;
    }
    clock.set(next);
  }
  const outcome = (await result).outcome;
  const text = audit.records.map((r) => JSON.stringify(r)).join('\n');
  console.log(
    JSON.stringify({
      dir,
      outcome,
      auditSha256: sha(text),
      auditBytes: text.length,
      eventsSha256: events.digest('hex'),
      schema,
      records,
      savedSha256: saved.digest('hex'),
      recordMeanBytes: Math.round(recordBytes / Math.max(1, records)),
    }),
  );
}
