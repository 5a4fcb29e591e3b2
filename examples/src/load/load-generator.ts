import { Agent } from 'node:http';
import { sendRequest } from './send-request';

/** What the clients saw over a recent window. */
export interface LoadWindow {
  readonly requests: number;
  readonly errors: number;
  /** Requests with no answer at all (refused, timed out). */
  readonly failed: number;
}

/** A running load generator. */
export interface LoadGenerator {
  /** Totals since the start. */
  totals(): LoadWindow;
  /** Answers over the last `ms` milliseconds. */
  recent(ms: number): LoadWindow;
  /** Changes the rate from now on (a traffic surge, or its end). */
  setRate(ratePerSecond: number): void;
  stop(): Promise<void>;
}

/** How requests are spaced: evenly, or as independent arrivals (exponential gaps, as users come). */
export type Arrivals = 'even' | 'poisson';

interface Answer {
  readonly at: number;
  readonly status: number;
}

/**
 * Open-loop traffic: `ratePerSecond` requests to `url`, spread evenly (or Poisson arrivals),
 * whether or not earlier ones have answered (as real users do), over keep-alive connections, at
 * most `maxInFlight` at a time. Answers are kept for a minute for `recent()`.
 */
export function startLoad(
  url: string,
  ratePerSecond: number,
  maxInFlight = 200,
  arrivals: Arrivals = 'even',
): LoadGenerator {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const answers: Answer[] = [];
  let total = 0;
  let errors = 0;
  let failed = 0;
  let inFlight = 0;
  let stopped = false;
  const pending = new Set<Promise<void>>();

  const once = async (): Promise<void> => {
    const end = await sendRequest(url, agent);
    if (end.kind === 'answered') {
      answers.push({ at: Date.now(), status: end.status });
      total += 1;
      if (end.status >= 500) errors += 1;
    } else if (end.kind === 'failed' && !stopped) {
      failed += 1;
      answers.push({ at: Date.now(), status: 0 });
    }
  };

  const fire = () => {
    if (stopped || inFlight >= maxInFlight) return;
    inFlight += 1;
    const p = once().finally(() => {
      inFlight -= 1;
      pending.delete(p);
    });
    pending.add(p);
  };

  let rate = ratePerSecond;
  const gapMs = () => (arrivals === 'even' ? 1000 / rate : (-Math.log(1 - Math.random()) * 1000) / rate);
  let nextAt = performance.now() + (arrivals === 'even' ? 0 : gapMs());
  // A coarse timer that catches up, so the rate holds even when timers fire late.
  const timer = setInterval(() => {
    const now = performance.now();
    while (nextAt <= now) {
      nextAt += gapMs();
      fire();
    }
    const horizon = Date.now() - 60_000;
    while ((answers[0]?.at ?? Number.POSITIVE_INFINITY) < horizon) answers.shift();
  }, 10);

  return {
    totals: () => ({ requests: total, errors, failed }),
    recent(ms) {
      const since = Date.now() - ms;
      let requests = 0;
      let recentErrors = 0;
      let recentFailed = 0;
      for (const a of answers) {
        if (a.at < since) continue;
        if (a.status === 0) recentFailed += 1;
        else {
          requests += 1;
          if (a.status >= 500) recentErrors += 1;
        }
      }
      return { requests, errors: recentErrors, failed: recentFailed };
    },
    setRate(next) {
      if (!(next > 0)) throw new Error(`the load's rate must be > 0 requests per second, not ${next}`);
      rate = next;
      nextAt = Math.min(nextAt, performance.now() + gapMs());
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled([...pending]);
      agent.destroy();
    },
  };
}
