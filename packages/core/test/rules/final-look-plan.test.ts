import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BASELINE_PRIOR_EVENTS,
  FINAL_LOOK_MAX_EXPECTED,
  FINAL_LOOK_PLAN_MARGIN,
  plansFinalLook,
} from '../../src/rules/sequential-count';
import { runWatch, steadyErrors } from '../evaluation/run-watch';

// Issue 12, session 18: the look at the bake's end takes its share of alpha only where the
// baseline plans it (docs/statistics.md, "The look's alpha where it can look").

const LIMIT = FINAL_LOOK_MAX_EXPECTED * FINAL_LOOK_PLAN_MARGIN;

describe('plansFinalLook', () => {
  it('plans the look where a bake at the baseline traffic expects at most the margin over the look limit', () => {
    // A 30 min window and a 15 min bake: the bake expects half the window's events (with the prior).
    const atLimit = 2 * LIMIT - BASELINE_PRIOR_EVENTS;
    expect(plansFinalLook(atLimit, 1800, 900)).toBe(true);
    expect(plansFinalLook(atLimit + 1, 1800, 900)).toBe(false);
    // The prior counts: an empty window always plans it.
    expect(plansFinalLook(0, 1800, 900)).toBe(true);
    // A bake as long as the window expects the window's events.
    expect(plansFinalLook(LIMIT - BASELINE_PRIOR_EVENTS, 1800, 1800)).toBe(true);
    expect(plansFinalLook(LIMIT - BASELINE_PRIOR_EVENTS + 0.5, 1800, 1800)).toBe(false);
  });

  it('keeps the look on inputs it cannot read (the old split, never less valid)', () => {
    expect(plansFinalLook(Number.NaN, 1800, 900)).toBe(true);
    expect(plansFinalLook(1e6, 0, 900)).toBe(true);
  });

  it('is monotone: more baseline events or a longer bake never plan a look that fewer did not', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e4, noNaN: true }),
        fc.double({ min: 0, max: 1e3, noNaN: true }),
        fc.integer({ min: 60, max: 86_400 }),
        fc.integer({ min: 60, max: 86_400 }),
        fc.integer({ min: 0, max: 3600 }),
        (events, more, window, bake, longer) => {
          if (!plansFinalLook(events, window, bake)) {
            expect(plansFinalLook(events + more, window, bake)).toBe(false);
            expect(plansFinalLook(events, window, bake + longer)).toBe(false);
          }
        },
      ),
    );
  });
});

describe('the error test of a watch', () => {
  it('keeps its whole alpha where the bake would expect far more events than the look takes', async () => {
    // 40 req/s at 0.5%: 360 events in the 30 min window, 180 expected in a 15 min bake.
    const r = await runWatch(steadyErrors(200, 0.005, 0.03, 20), { bakeSeconds: 900 });
    expect(r.decision.type, r.decision.reason).toBe('breach');
    // 1 / (0.99 x 0.005): the e-process's threshold without the look's 20%.
    expect(r.decision.reason).toContain('1/alpha 202');
  });

  it('sets the look aside at low traffic, where the look can find what the e-process does not', async () => {
    // 0.2 req/s at 2%: about 7 events in the window.
    const steps = steadyErrors(1, 0.02, 0.5, 20);
    const r = await runWatch(steps, { bakeSeconds: 900 });
    expect(r.decision.type, r.decision.reason).toBe('breach');
    // 1 / (0.99 x 0.005 x 0.8).
    expect(r.decision.reason).toContain('1/alpha 252.5');
  });
});
