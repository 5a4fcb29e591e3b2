import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { DEPLOY_AT, world } from './world';

/** A full garbage collection, without running the test process with --expose-gc. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** One macrotask: promise jobs drain, and a WeakRef's target is no longer kept for the job. */
const nextTask = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('what a running watch keeps alive', () => {
  it('lets its first snapshot go while the watch goes on (drive does not keep its start parameter)', async () => {
    const gc = collector();
    const w = world();
    let first: WeakRef<object> | null = null;
    let evaluations = 0;
    w.controller.events.on('watch-start', (e) => {
      first = new WeakRef(e.snapshot);
    });
    w.controller.events.on('step', (e) => {
      if (e.event.type === 'evaluated') evaluations++;
    });
    await nextTask();
    let outcome: string | null = null;
    const run = w.controller.watch({ artifactId: 'v2', deployedAt: DEPLOY_AT });
    run.then((r) => {
      outcome = r.outcome;
    });
    // The clock moved by hand, a task at a time (runOnClock runs the whole watch in one job,
    // where a WeakRef keeps its target alive).
    let collected: boolean | null = null;
    for (let timers = 0; outcome === null && timers < 100_000; timers++) {
      await nextTask();
      if (collected === null && evaluations >= 5) {
        gc();
        collected = (first as WeakRef<object> | null)?.deref() === undefined;
      }
      const due = w.clock.nextDue;
      if (outcome === null && due !== undefined) w.clock.set(due);
    }
    expect(outcome).toBe('promoted');
    expect(first).not.toBeNull();
    // Collected while the watch still ran: nothing kept it for the watch's life.
    expect(collected).toBe(true);
  });

  it("lets an earlier step's evaluation go once the next one is made, all through a 720-step bake", async () => {
    // `drive` (machine/controller.ts) is suspended for the watch's whole life. Once V8 has
    // compiled it past the interpreter (some hundred steps in), a value left in one of its
    // registers is not overwritten at the later suspensions: the code before kept the step's
    // event there, and one evaluation (that of the step where the code changed) lived until
    // the watch ended (docs/benchmarks.md, `heap15-issue-13`). Where `drive` is when its code
    // changes decides whether that step's event was in its registers, so the test run on the
    // code before fails in some runs, not all; on this code no earlier evaluation is ever kept.
    const gc = collector();
    const w = world({ contract: { bakeSeconds: 3600 }, bakeSteps: 800 });
    const made: WeakRef<object>[] = [];
    w.controller.events.on('evaluation', (e) => {
      made.push(new WeakRef(e));
    });
    await nextTask();
    let outcome: string | null = null;
    const run = w.controller.watch({ artifactId: 'v2', deployedAt: DEPLOY_AT });
    run.then((r) => {
      outcome = r.outcome;
    });
    const kept = new Set<number>();
    let checks = 0;
    let checkedAt = 0;
    for (let timers = 0; outcome === null && timers < 100_000; timers++) {
      await nextTask();
      if (made.length % 25 === 0 && made.length > checkedAt) {
        checkedAt = made.length;
        gc();
        checks++;
        // Every evaluation but the newest: the current snapshot holds only the newest's summaries.
        for (let i = 0; i < made.length - 1; i++) if (made[i]?.deref() !== undefined) kept.add(i);
      }
      const due = w.clock.nextDue;
      if (outcome === null && due !== undefined) w.clock.set(due);
    }
    expect(outcome).toBe('promoted');
    expect(made.length).toBeGreaterThan(700);
    expect(checks).toBe(Math.floor(made.length / 25));
    expect([...kept]).toEqual([]);
  });
});
