import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DecisionRecord, quantile, type ScoredScenario, scoreDecisions } from '../../src/scenarios';

const rollback = (name: string, start: number): ScoredScenario => ({
  name,
  stepSeconds: 5,
  truth: { verdict: 'rollback', faultStartStep: start },
});
const keep = (name: string): ScoredScenario => ({
  name,
  stepSeconds: 5,
  truth: { verdict: 'keep', faultStartStep: null },
});
const incident = (name: string): ScoredScenario => ({
  name,
  stepSeconds: 5,
  truth: { verdict: 'incident', faultStartStep: 300 },
});

describe('scoreDecisions', () => {
  const scenarios = [
    rollback('r1', 366),
    rollback('r2', 360),
    rollback('r3', 400),
    rollback('r4', 380),
    rollback('r5', 370),
    keep('k1'),
    keep('k2'),
    incident('i1'),
    incident('i2'),
  ];
  const records: DecisionRecord[] = [
    { name: 'r1', decision: 'rollback', decidedAtStep: 370 }, // 20 s
    { name: 'r2', decision: 'rollback', decidedAtStep: 372 }, // 60 s
    { name: 'r3', decision: 'keep', decidedAtStep: null }, // missed
    { name: 'r4', decision: 'rollback', decidedAtStep: 376 }, // early: before the fault
    { name: 'r5', decision: 'escalate', decidedAtStep: 380 }, // not a rollback
    { name: 'k1', decision: 'rollback', decidedAtStep: 365 }, // false rollback
    { name: 'k2', decision: 'keep', decidedAtStep: null },
    { name: 'i1', decision: 'incident', decidedAtStep: 361 },
    { name: 'i2', decision: 'rollback', decidedAtStep: 362 }, // false rollback
    { name: 'zz', decision: 'rollback', decidedAtStep: 1 },
  ];

  it('computes the FORMAT.md scores on a hand-checked set', () => {
    const score = scoreDecisions(scenarios, records);
    expect(score.rollbackScenarios).toBe(5);
    expect(score.detected).toBe(3);
    expect(score.detectionRate).toBeCloseTo(0.6, 10);
    expect(score.falseRollbacks).toBe(2);
    expect(score.incidentScenarios).toBe(2);
    expect(score.incidentsRouted).toBe(1);
    expect(score.incidentRoutingRate).toBe(0.5);
    expect(score.delaysSeconds).toEqual([20, 60]);
    expect(score.delayMedianSeconds).toBe(40);
    expect(score.delayP95Seconds).toBeCloseTo(58, 10);
    expect(score.earlyRollbacks).toEqual(['r4']);
    expect(score.unknownRecords).toEqual(['zz']);
    expect(score.missingRecords).toEqual([]);
  });

  it('scores a scenario without a record as kept', () => {
    const score = scoreDecisions([rollback('r', 370), keep('k')], []);
    expect(score.detected).toBe(0);
    expect(score.falseRollbacks).toBe(0);
    expect(score.missingRecords).toEqual(['r', 'k']);
    expect(score.delayMedianSeconds).toBeNull();
    expect(score.incidentRoutingRate).toBeNull();
  });

  it('keeps its counts consistent for any decisions (property)', () => {
    const decision = fc.constantFrom('rollback', 'keep', 'incident', 'escalate' as const);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('rollback', 'keep', 'incident'), decision, fc.nat(200)), {
          maxLength: 40,
        }),
        (rows) => {
          const scs: ScoredScenario[] = rows.map(([v], i) =>
            v === 'rollback' ? rollback(`s${i}`, 360) : v === 'keep' ? keep(`s${i}`) : incident(`s${i}`),
          );
          const recs: DecisionRecord[] = rows.map(([, d, step], i) => ({
            name: `s${i}`,
            decision: d,
            decidedAtStep: 360 + step,
          }));
          const score = scoreDecisions(scs, recs);
          const rolledBack = rows.filter(([, d]) => d === 'rollback').length;
          expect(score.detected + score.falseRollbacks).toBe(rolledBack);
          expect(score.delaysSeconds.length).toBe(score.detected);
          expect(score.delaysSeconds.every((d) => d >= 0)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('quantile', () => {
  it('interpolates between order statistics (type 7)', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([7], 0.95)).toBe(7);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.95)).toBeCloseTo(48, 10);
    expect(quantile([1, 2, 3], 1)).toBe(3);
  });
});
