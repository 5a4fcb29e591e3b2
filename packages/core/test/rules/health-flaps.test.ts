import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultSignals } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import { evaluateHealth, notReadyRunMs } from '../../src/rules/health-check';

/**
 * Readiness that flaps (docs/statistics.md, "Readiness that flaps"): one pod not Ready for a few
 * seconds is no breach of a rule with `notReadySeconds`; readiness that stays below is, once the
 * run has lasted that long; restarts breach at once whatever the run.
 */
const STEP = 5000;
const window = { start: 0, end: 30_000 };
const rule = { type: 'health' as const, minReady: 1, maxRestarts: 0, notReadySeconds: 20 };
const ready = (vs: number[]) => vs.map((v, i) => ({ t: i * STEP, v }));

describe('health: the not-ready run', () => {
  it('measures the run of reads below minReady up to the newest', () => {
    expect(notReadyRunMs(ready([1, 1, 1]), 1)).toBe(-1);
    expect(notReadyRunMs(ready([1, 1, 0.75]), 1)).toBe(0);
    expect(notReadyRunMs(ready([0.75, 1, 0.75, 0.75, 0.5]), 1)).toBe(10_000);
    expect(notReadyRunMs([], 1)).toBe(-1);
  });

  it('is no-data (neither pass nor breach) while the run is shorter than notReadySeconds', () => {
    const v = evaluateHealth(rule, { signal: 'h', ready: ready([1, 1, 0.75, 0.75]), restarts: 0, window });
    expect(v.status).toBe('no-data');
    expect(v.value).toBe(0.75);
    expect(v.reason).toBe(
      "75% of instances ready (required 100%) for 5 s, under the 20 s a breach needs: a flap, or a failure's first seconds",
    );
  });

  it('breaches once the run has lasted notReadySeconds, and says how long', () => {
    const v = evaluateHealth(rule, {
      signal: 'h',
      ready: ready([1, 0.75, 0.75, 0.75, 0.75, 0.75]),
      restarts: 0,
      window,
    });
    expect(v).toMatchObject({ status: 'breach', value: 0.75, threshold: 1 });
    expect(v.reason).toBe('75% of instances ready (required 100%) for 20 s (a breach needs 20 s)');
  });

  it('breaches on restarts at once, whatever the readiness run', () => {
    const v = evaluateHealth(rule, { signal: 'h', ready: ready([1, 0.75]), restarts: 1, window });
    expect(v).toMatchObject({ status: 'breach', value: 1, threshold: 0 });
  });

  it('without notReadySeconds the newest read alone decides, as before', () => {
    const old = { type: 'health' as const, minReady: 1, maxRestarts: 0 };
    expect(evaluateHealth(old, { signal: 'h', ready: ready([1, 0.75]), restarts: 0, window }).status).toBe(
      'breach',
    );
  });

  it('property: a flap shorter than notReadySeconds never breaches; readiness that stays below always does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 5, max: 30 }),
        (pods, flapSteps, before, after) => {
          const low = Math.round(((pods - 1) / pods) * 1e4) / 1e4;
          // Reads of a 30 s window ending at every step of: ready, a flap of 1-4 steps, ready again.
          const series = [
            ...Array(before).fill(1),
            ...Array(flapSteps).fill(low),
            ...Array(after).fill(1),
          ] as number[];
          for (let end = 1; end <= series.length; end++) {
            const reads = ready(series.slice(0, end)).slice(-6);
            const v = evaluateHealth(rule, { signal: 'h', ready: reads, restarts: 0, window });
            expect(v.status).not.toBe('breach');
          }
          // A release that stays not Ready: a breach at the fifth read of the run and every one after.
          const stays = [...Array(before).fill(1), ...Array(after).fill(low)] as number[];
          for (let end = before + 1; end <= stays.length; end++) {
            const reads = ready(stays.slice(0, end)).slice(-6);
            const status = evaluateHealth(rule, { signal: 'h', ready: reads, restarts: 0, window }).status;
            expect(status).toBe(end - before >= 5 ? 'breach' : 'no-data');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('health: notReadySeconds in a contract', () => {
  it('the default contract waits 20 s of not-Ready, inside its 30 s window', () => {
    const health = defaultSignals().find((s) => s.id === 'health');
    expect(health?.rules).toEqual([{ type: 'health', minReady: 1, maxRestarts: 0, notReadySeconds: 20 }]);
    expect(health?.windowSeconds).toBe(30);
  });

  it('rejects a run the window cannot hold', () => {
    const contract = (notReadySeconds: number) => ({
      service: 'svc',
      stepSeconds: 5,
      baselineSeconds: 600,
      bakeSeconds: 600,
      signals: [
        {
          id: 'health',
          kind: 'health',
          selector: { service: 'svc' },
          rules: [{ type: 'health', notReadySeconds }],
          windowSeconds: 30,
        },
      ],
    });
    expect(() => parseContract(contract(20), 'test')).not.toThrow();
    expect(() => parseContract(contract(30), 'test')).toThrow(/notReadySeconds \(30\) must be below/);
  });
});
