import { describe, expect, it } from 'vitest';
import type { StepData } from '../../src/testing/memory-source';
import { BASELINE_STEPS, runWatch } from './run-watch';

/**
 * 2 req/s (10 requests a 5 s step), the baseline's p99 in the (100, 250] ms bucket: 1 request in
 * 4 steps there, 1 in 20 steps in (250, 500] (the first threshold, 250 ms, sees 18 of 3,600),
 * and `tailWindow` requests above 500 ms (the tail threshold) in the whole window. From the
 * deploy, one request every `every`-th step is 10-20x slower, in (1000, 2500] ms: a tail fault.
 */
function tailFault(every: number, tailWindow: number): StepData[] {
  const steps: StepData[] = [];
  for (let i = 0; i < BASELINE_STEPS + 200; i++) {
    const k = i - BASELINE_STEPS;
    const h = [0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0];
    const move = (to: number) => {
      h[3] = (h[3] as number) - 1;
      h[to] = (h[to] as number) + 1;
    };
    if (i % 4 === 1) move(5);
    if (i % 20 === 3) move(6);
    if (k < 0 && i % 97 === 11 && Math.floor(i / 97) < tailWindow) move(7);
    if (k >= 0 && every > 0 && k % every === 0) move(8);
    steps.push({ requests: 10, errors: 0, latencyHistogram: h, memory: 300e6, ready: 1, restarts: 0 });
  }
  return steps;
}

describe('one look at the bake end at the tail threshold (issue 12, class 5)', () => {
  it('rolls back at the bake end a tail fault the e-processes leave undecided', async () => {
    // 12 slow requests of 1,200 above 500 ms against 1 of 3,600 (4 with the prior).
    const r = await runWatch(tailFault(10, 1), { bakeSeconds: 600 });
    expect(r.decision.type, r.decision.reason).toBe('breach');
    expect(r.at).toBe(600);
    // The tail test's alpha: the rule's 0.005, a quarter of it, a fifth of that for the look;
    // its e-process at the rest (1/alpha 1010 = 1 / (0.99 x 0.00125 x 0.8)).
    expect(r.decision.reason).toMatch(
      /share slower than 500 ms .*: one look at the bake's end, exact conditional p [\d.e-]+ <= alpha 2\.500e-4 \(e-value [\d.]+ < 1\/alpha 1010\)/,
    );
    // Undecided until then.
    expect(r.timeline.filter((e) => e.type === 'breach')).toHaveLength(1);
  });

  it('takes no look where the tail threshold saw no slow request before the deploy, and keeps its whole alpha', async () => {
    // 10 slow of 1,200 against 0 of 3,600: the look (3 prior events) would reject at p ~1e-4.
    const r = await runWatch(tailFault(12, 0), { bakeSeconds: 600 });
    expect(r.decision.type, r.decision.reason).not.toBe('breach');
    const latency = r.timeline.at(-1)?.signals.find((s) => s.signal === 'latency-p99');
    const reasons = latency?.verdicts.map((v) => v.reason) ?? [];
    expect(reasons).toHaveLength(2);
    // The first threshold's test never looks: its e-process keeps 3/4 of the rule's alpha.
    expect(reasons[0]).toMatch(/^share slower than 250 ms .*1\/alpha 269\.4$/);
    // 1/alpha 808.1 = 1 / (0.99 x 0.00125): nothing set aside for a look.
    expect(reasons[1]).toMatch(/^share slower than 500 ms .*1\/alpha 808\.1$/);
  });

  it('keeps a healthy version whose tail window saw one slow request', async () => {
    const r = await runWatch(tailFault(0, 1), { bakeSeconds: 600 });
    expect(r.decision.type, r.decision.reason).not.toBe('breach');
    const latency = r.timeline.at(-1)?.signals.find((s) => s.signal === 'latency-p99');
    // The first threshold keeps its whole alpha; the tail test's e-process runs at 4/5 of its own.
    expect(latency?.verdicts.map((v) => v.reason.replace(/^.*(1\/alpha [\d.]+)$/, '$1'))).toEqual([
      '1/alpha 269.4',
      '1/alpha 1010',
    ]);
  });
});
