import { type Contract, type ControllerDecision, Evaluator, type MetricSource } from '@rollgate/core';
import { SimulatedClock } from '@rollgate/core/simulation';

/** What the contract would have done had a deploy happened at `deployAt`. */
export interface HistoryWindow {
  readonly deployAt: number;
  /** What the watch would have counted as (the vocabulary of `rollgate backtest` and the scenarios). */
  readonly decision: ControllerDecision;
  readonly decidedAt: number | null;
  readonly signal: string | null;
  readonly reason: string;
}

/**
 * Replays `contract` over past data: for each start time, a pseudo-deploy is watched with a
 * simulated clock walking through history, reading the real sources (requests carry explicit
 * times, so a backend with enough retention answers them). No deploy happened at those times,
 * so every rollback found is a false rollback the contract would have caused. A breach is put
 * through the same validation gate as live (an onset before the pseudo-deploy is an incident).
 */
export async function replayHistory(
  contract: Contract,
  sources: Readonly<Record<string, MetricSource>>,
  starts: readonly number[],
  onProgress: (done: number) => void,
): Promise<HistoryWindow[]> {
  const out: HistoryWindow[] = [];
  const stepMs = contract.stepSeconds * 1000;
  for (const [i, deployAt] of starts.entries()) {
    const clock = new SimulatedClock(deployAt);
    // One attempt per read: a retry would sleep on the simulated clock.
    const evaluator = new Evaluator({
      contract,
      sources,
      clock,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
    // Deadlines are real time: the adapters time requests with the host's clock.
    const ctx = () => ({ signal: new AbortController().signal, deadline: Date.now() + 60_000 });
    let state = evaluator.start(deployAt);
    let window: HistoryWindow = {
      deployAt,
      decision: 'keep',
      decidedAt: null,
      signal: null,
      reason: 'no confirmed breach',
    };
    for (let t = deployAt + stepMs; t <= deployAt + contract.bakeSeconds * 1000; t += stepMs) {
      clock.set(t);
      const { state: next, evaluation } = await evaluator.evaluate(state, ctx());
      state = next;
      const d = evaluation.decision;
      if (d.type === 'breach') {
        const lead = d.evidence[0];
        const onset = lead ? await evaluator.findOnset(state, lead.signal, lead.segment, ctx()) : null;
        window = {
          deployAt,
          decision: onset?.preexisting ? 'incident' : 'rollback',
          decidedAt: t,
          signal: lead ? `${lead.signal}${lead.segment ? ` [${lead.segment}]` : ''}` : null,
          reason: onset?.preexisting ? `${d.reason}; ${onset.reason}` : d.reason,
        };
        break;
      }
      if (d.type === 'escalate') {
        window = {
          deployAt,
          decision: 'escalate',
          decidedAt: t,
          signal: d.signals[0] ?? null,
          reason: d.reason,
        };
        break;
      }
      if (d.type !== 'continue') {
        window = { deployAt, decision: 'keep', decidedAt: null, signal: null, reason: d.reason };
        break;
      }
    }
    out.push(window);
    onProgress(i + 1);
  }
  return out;
}
