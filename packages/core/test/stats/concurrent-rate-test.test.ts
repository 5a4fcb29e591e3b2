import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import {
  type ConcurrentRateTestState,
  createConcurrentRateTest,
  DEFAULT_RATIOS,
  summarizeRateTest,
  updateRateTest,
} from '../../src/stats';
import { logSumExp } from '../../src/stats/log-space';
import { binomial, poisson, seededRandom } from '../../src/testing/seeded-random';

describe('createConcurrentRateTest', () => {
  it('rejects bad options by path', () => {
    for (const [options, path] of [
      [{ alpha: 2 }, 'alpha'],
      [{ alpha: 0.01, ratios: [0.5] }, 'ratios[0]'],
      [{ alpha: 0.01, tolerance: 0 }, 'tolerance'],
      [{ alpha: 0.01, restartShare: -0.1 }, 'restartShare'],
    ] as const) {
      try {
        createConcurrentRateTest(options);
        throw new Error('no error');
      } catch (error) {
        expect(RollgateError.is(error) && error.code === 'CONFIG_INVALID' && error.details.path).toBe(path);
      }
    }
  });
});

describe('the conditional-binomial mixture of docs/statistics.md', () => {
  it('with restarts off, equals logsumexp_r(log w_r + sum of per-interval conditional log-likelihood ratios)', () => {
    const intervals = [
      { xc: 3, nc: 50, xb: 2, nb: 450 },
      { xc: 1, nc: 200, xb: 4, nb: 300 },
      { xc: 0.5, nc: 12.5, xb: 0, nb: 80 },
      { xc: 2, nc: 500, xb: 1, nb: 500 },
    ];
    let state: ConcurrentRateTestState = createConcurrentRateTest({ alpha: 0.01, restartShare: 0 });
    for (const i of intervals) {
      state = updateRateTest(state, {
        events: i.xc,
        trials: i.nc,
        baselineEvents: i.xb,
        baselineTrials: i.nb,
      });
    }
    const logL = DEFAULT_RATIOS.map((r) =>
      intervals.reduce((sum, i) => {
        const rho = i.nc / (i.nc + i.nb);
        const theta = (r * rho) / (r * rho + 1 - rho);
        return sum + i.xc * Math.log(theta / rho) + i.xb * Math.log((1 - theta) / (1 - rho));
      }, 0),
    );
    const expected = logSumExp(logL.map((l) => l - Math.log(DEFAULT_RATIOS.length)));
    expect(state.logE).toBeCloseTo(expected, 10);
    expect(state.logThreshold).toBeCloseTo(Math.log(100), 12);
    expect(summarizeRateTest(state).events).toBe(6.5);
  });

  it('tests tolerance x the stable rate when asked', () => {
    let plain: ConcurrentRateTestState = createConcurrentRateTest({ alpha: 0.01, restartShare: 0 });
    let tolerant: ConcurrentRateTestState = createConcurrentRateTest({
      alpha: 0.01,
      restartShare: 0,
      tolerance: 2,
    });
    const o = { events: 6, trials: 100, baselineEvents: 6, baselineTrials: 300 };
    plain = updateRateTest(plain, o);
    tolerant = updateRateTest(tolerant, o);
    // Ratio 3 in the data: far less surprising against "ratio <= 2" than against "ratio <= 1".
    expect(tolerant.logE).toBeLessThan(plain.logE - 1);
  });

  it('skips intervals where either arm has no trials, and waits for the stable fleet', () => {
    const state = createConcurrentRateTest({ alpha: 0.01 });
    expect(updateRateTest(state, { events: 1, trials: 10, baselineEvents: 0, baselineTrials: 0 })).toBe(
      state,
    );
    expect(updateRateTest(state, { events: 0, trials: 0, baselineEvents: 1, baselineTrials: 10 })).toBe(
      state,
    );
    expect(updateRateTest(state, { events: 1, trials: 10 })).toBe(state);
  });

  it('handles a traffic split that changes every interval (ramp 1% -> 50%)', () => {
    const random = seededRandom(3);
    let falseAlarms = 0;
    const delays: number[] = [];
    for (let run = 0; run < 200; run++) {
      let healthy: ConcurrentRateTestState = createConcurrentRateTest({ alpha: 0.01 });
      let faulty: ConcurrentRateTestState = createConcurrentRateTest({ alpha: 0.01 });
      let detected = Number.POSITIVE_INFINITY;
      for (let step = 1; step <= 120; step++) {
        const split = Math.min(0.5, 0.01 * step);
        const n = poisson(random, 100);
        const nc = binomial(random, n, split);
        const nb = n - nc;
        healthy = updateRateTest(healthy, {
          events: binomial(random, nc, 0.01),
          trials: nc,
          baselineEvents: binomial(random, nb, 0.01),
          baselineTrials: nb,
        });
        faulty = updateRateTest(faulty, {
          events: binomial(random, nc, 0.04),
          trials: nc,
          baselineEvents: binomial(random, nb, 0.01),
          baselineTrials: nb,
        });
        if (faulty.rejected && detected === Number.POSITIVE_INFINITY) detected = step;
      }
      if (healthy.rejected) falseAlarms++;
      delays.push(detected);
    }
    expect(falseAlarms).toBeLessThanOrEqual(6);
    expect(delays.filter((d) => d <= 60).length / delays.length).toBeGreaterThan(0.9);
  });
});

describe('the ratio confidence sequence and estimate', () => {
  it('covers the true ratio at every step at least 1 - alpha of the time', () => {
    const random = seededRandom(11);
    let misses = 0;
    for (let run = 0; run < 300; run++) {
      let state: ConcurrentRateTestState = createConcurrentRateTest({ alpha: 0.05 });
      let missed = false;
      for (let step = 0; step < 60; step++) {
        const nc = poisson(random, 30);
        const nb = poisson(random, 120);
        state = updateRateTest(state, {
          events: binomial(random, nc, 0.03),
          trials: nc,
          baselineEvents: binomial(random, nb, 0.01),
          baselineTrials: nb,
        });
        const interval = summarizeRateTest(state).ratioInterval;
        if (interval && (interval.lower > 3 || interval.upper < 3)) missed = true;
      }
      if (missed) misses++;
    }
    expect(misses / 300).toBeLessThanOrEqual(0.05);
  });

  it('narrows around the true ratio with data, and estimates it', () => {
    let state: ConcurrentRateTestState = createConcurrentRateTest({ alpha: 0.01 });
    for (let i = 0; i < 100; i++) {
      state = updateRateTest(state, { events: 4, trials: 100, baselineEvents: 4, baselineTrials: 400 });
    }
    const summary = summarizeRateTest(state);
    expect(summary.ratioEstimate).toBeCloseTo(4, 1);
    expect(summary.ratioInterval?.lower).toBeGreaterThan(2.7);
    expect(summary.ratioInterval?.upper).toBeLessThan(6);
    expect(summary.rate).toBeCloseTo(0.04, 12);
    expect(summary.baselineRate).toBeCloseTo(0.01, 12);
  });

  it('is unbounded above while the stable fleet has no events', () => {
    let state: ConcurrentRateTestState = createConcurrentRateTest({ alpha: 0.01 });
    state = updateRateTest(state, { events: 3, trials: 100, baselineEvents: 0, baselineTrials: 100 });
    const summary = summarizeRateTest(state);
    expect(summary.ratioEstimate).toBeNull();
    expect(summary.ratioInterval?.upper).toBe(Number.POSITIVE_INFINITY);
    expect(summary.ratioInterval?.lower).toBeGreaterThan(0);
  });
});
