import { describe, expect, it } from 'vitest';
import { judgeSequential, type SequentialState, stepSequential } from '../../src/rules/sequential-count';
import { leadingRestart } from '../../src/stats/baseline-rate-test';
import { ERROR_JUDGEMENT, startLookTest } from './look-fixtures';

// A breach whose evidence is a burst late in a quiet bake: the e-value crosses on a restarted
// copy of the test while the whole bake's rate is near the baseline's, so the reason also names
// the rate since that copy started (docs/statistics.md, "What a breach's reason says when a
// restart crossed").

const JUDGE = { ...ERROR_JUDGEMENT, samples: 50_000 };

/** Feeds steps until the test rejects (or they run out); the state and the steps fed. */
function feedUntilRejected(
  state: SequentialState,
  steps: readonly { events: number; trials: number }[],
): { state: SequentialState; fed: number } {
  let s = state;
  let fed = 0;
  for (const step of steps) {
    s = stepSequential(s, step, null);
    fed++;
    if (s.rejected) break;
  }
  return { state: s, fed };
}

/** 0.4% of 250 requests a step (1 error), then `burst` steps of 25 errors in 250 (10%). */
function quietThenBurst(quiet: number, burst: number): { events: number; trials: number }[] {
  return [
    ...Array.from({ length: quiet }, () => ({ events: 1, trials: 250 })),
    ...Array.from({ length: burst }, () => ({ events: 25, trials: 250 })),
  ];
}

describe('where a breach evidence is', () => {
  it('names the burst a restarted copy crossed on, after a long quiet bake', () => {
    const start = startLookTest(40, 10_000, 0.005);
    const { state, fed } = feedUntilRejected(start, quietThenBurst(150, 20));
    expect(state.rejected).toBe(true);
    expect(fed).toBeGreaterThan(150);
    const lead = state.kind === 'baseline' ? leadingRestart(state) : null;
    if (lead === null) throw new Error('no restarted copy leads');
    // The copy started in the quiet part, at most a few steps before the burst: its rate is
    // the burst's, diluted by at most those steps.
    const burstTrials = (fed - 150) * 250;
    expect(lead.trials).toBeGreaterThanOrEqual(burstTrials);
    expect(lead.trials).toBeLessThan(burstTrials + 40 * 250);
    expect(lead.events / lead.trials).toBeGreaterThan(0.04);
    const verdict = judgeSequential(state, JUDGE);
    expect(verdict.status).toBe('breach');
    // The whole bake's rate is not what crossed: the reason says where the evidence is.
    expect(verdict.reason).toMatch(/^error rate 0\.\d+% of /);
    expect(verdict.reason).toMatch(
      /e-value \S+ >= 1\/alpha \S+; most of the evidence is in the last \d+ requests: error rate \d+(\.\d+)?% \(ratio \d+(\.\d+)?x\)$/,
    );
  });

  it('adds nothing when the whole bake tells it: a fault from the deploy on', () => {
    const { state } = feedUntilRejected(startLookTest(40, 10_000, 0.005), quietThenBurst(0, 60));
    expect(state.rejected).toBe(true);
    expect(state.kind === 'baseline' ? leadingRestart(state) : 'not a baseline test').toBeNull();
    expect(judgeSequential(state, JUDGE).reason).not.toMatch(/most of the evidence/);
  });

  it('is null before the first restart: only the copy from the deploy', () => {
    const fresh = startLookTest(40, 10_000, 0.005);
    const oneStep = stepSequential(fresh, { events: 25, trials: 250 }, null);
    for (const state of [fresh, oneStep]) {
      if (state.kind !== 'baseline' || state.method !== 'joint') throw new Error('a joint baseline test');
      expect(state.copies).toHaveLength(1);
      expect(leadingRestart(state)).toBeNull();
    }
  });
});
