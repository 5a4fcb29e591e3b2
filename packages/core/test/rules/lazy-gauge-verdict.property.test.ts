import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  BaselineRatioRule,
  HealthRule,
  RateOfChangeRule,
  StaticRule,
} from '../../src/contract/contract-schema';
import { evaluateBaselineRatio } from '../../src/rules/baseline-ratio';
import { evaluateHealth } from '../../src/rules/health-check';
import {
  eagerGaugeVerdict,
  type GaugeHead,
  type GaugeText,
  gaugePass,
  gaugeRecipeOf,
  gaugeVerdictOfRecipe,
  isLazyGaugeVerdict,
  LazyGaugeVerdict,
} from '../../src/rules/lazy-gauge-verdict';
import { evaluateRateOfChange } from '../../src/rules/rate-of-change';
import { evaluateStaticRange } from '../../src/rules/static-range';
import { show, type Verdict } from '../../src/rules/verdict';

/**
 * A gauge's pass verdict built when read (rules/lazy-gauge-verdict.ts) against the verdict built
 * at once: the same fields, keys in the same order, JSON text, spread and `structuredClone`; its
 * reason against the sentence the rules wrote before (their templates copied here from the code
 * they replaced); its saved recipe back to the same verdict.
 */

const NOW = 1_700_000_000_000;
const window = { start: NOW - 300_000, end: NOW };

/** Every way a verdict is read, as one comparable value. */
function reads(v: Verdict) {
  return {
    json: JSON.stringify(v),
    keys: Object.keys(v),
    spread: { ...v },
    clone: structuredClone(v),
    reason: v.reason,
  };
}

const num = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
const kind = fc.constantFrom<GaugeText['kind']>('trend', 'static', 'ratio');

/** Random heads and texts of every kind, with and without a segment, statistic, held-out samples. */
const gauge = fc
  .record({
    kind,
    segment: fc.option(fc.constantFrom('route=/a', 'zone=eu'), { nil: undefined }),
    samples: fc.integer({ min: 0, max: 5_000 }),
    value: fc.oneof(num(-1e9, 1e9), num(-1, 1), fc.constant(0), fc.constant(-0)),
    threshold: fc.option(num(-1e6, 1e6), { nil: null }),
    stat: fc.option(fc.record({ value: num(-50, 50), threshold: num(0, 10) }), { nil: undefined }),
    held: fc.nat({ max: 40 }),
    unit: fc.constantFrom('', ' B', ' ms', ' MiB'),
    a: fc.option(num(-1e9, 1e9), { nil: null }),
    b: fc.option(fc.oneof(num(-1e9, 1e9), fc.integer({ min: 0, max: 1e6 })), { nil: null }),
  })
  .map((g): { head: GaugeHead; text: GaugeText } => {
    const trend = g.kind === 'trend';
    return {
      head: {
        signal: 'memory',
        ...(g.segment === undefined ? {} : { segment: g.segment }),
        window,
        samples: g.samples,
        value: g.value,
        // The ratio's reason says its threshold: it has one, and a limit the trend's.
        threshold: g.kind === 'ratio' && g.threshold === null ? 1 : g.threshold,
        ...(trend && g.stat ? { statistic: { name: 't-stat', ...g.stat } } : {}),
        ...(trend && g.held > 0 ? { surgeHeldSteps: g.held } : {}),
      },
      text: {
        kind: g.kind,
        unit: g.unit,
        a: (g.kind === 'trend' || g.kind === 'ratio') && g.a === null ? 512 : g.a,
        b: g.kind === 'ratio' ? null : g.b,
        heldSeconds: trend && g.held > 0 ? g.held * 5 : 0,
      },
    };
  });

describe('a gauge pass verdict built when read', () => {
  it('property: reads as the verdict built at once (JSON, keys and order, spread, structuredClone, reason)', () => {
    fc.assert(
      fc.property(gauge, ({ head, text }) => {
        const lazy = gaugePass(head, text);
        expect(isLazyGaugeVerdict(lazy)).toBe(true);
        const eager = eagerGaugeVerdict(head, text);
        expect(isLazyGaugeVerdict(eager)).toBe(false);
        expect(reads(lazy)).toEqual(reads(eager));
        expect(lazy).toEqual(eager);
      }),
      { numRuns: 400 },
    );
  });

  it('property: its saved recipe, through JSON, loads as the same verdict (key order included)', () => {
    fc.assert(
      fc.property(gauge, ({ head, text }) => {
        const lazy = gaugePass(head, text) as unknown as LazyGaugeVerdict;
        const recipe = JSON.parse(JSON.stringify(gaugeRecipeOf(lazy))) as Record<string, unknown>;
        expect(recipe).not.toHaveProperty('reason');
        const loaded = gaugeVerdictOfRecipe('memory', recipe);
        expect(loaded).not.toBeNull();
        expect(isLazyGaugeVerdict(loaded)).toBe(true);
        expect(JSON.stringify(loaded)).toBe(JSON.stringify(lazy));
        // Saved again, the same recipe: a resumed watch writes what the first wrote.
        expect(gaugeRecipeOf(loaded as unknown as LazyGaugeVerdict)).toEqual(recipe);
      }),
      { numRuns: 300 },
    );
  });

  it('is built at once where a number is not finite (so it is never stored non-JSON-safe)', () => {
    const head: GaugeHead = { signal: 'memory', window, samples: 10, value: 1, threshold: 2 };
    const text: GaugeText = { kind: 'trend', unit: ' B', a: 512, b: null, heldSeconds: 0 };
    expect(isLazyGaugeVerdict(gaugePass(head, text))).toBe(true);
    const infinite = {
      ...head,
      statistic: { name: 't-stat', value: Number.POSITIVE_INFINITY, threshold: 2 },
    };
    const v = gaugePass(infinite, text);
    expect(isLazyGaugeVerdict(v)).toBe(false);
    const finiteStatistic = { ...infinite, statistic: { name: 't-stat', value: 3, threshold: 2 } };
    expect(Object.keys(v)).toEqual(Object.keys(gaugePass(finiteStatistic, text)));
    expect(v.reason).toBe('slope 1 B/s: the limit 512 B is never away at this rate');
    expect(isLazyGaugeVerdict(gaugePass(head, { ...text, a: Number.NaN }))).toBe(false);
  });

  it('refuses a recipe without the numbers its kind needs', () => {
    const lazy = gaugePass(
      { signal: 'memory', window, samples: 3, value: 0.5, threshold: 0.9 },
      { kind: 'ratio', unit: '', a: 0.4, b: null, heldSeconds: 0 },
    ) as unknown as LazyGaugeVerdict;
    const recipe = gaugeRecipeOf(lazy) as Record<string, unknown>;
    expect(gaugeVerdictOfRecipe('m', { ...recipe, baseline: 'x' })).toBeNull();
    expect(gaugeVerdictOfRecipe('m', { ...recipe, gauge: 'spline' })).toBeNull();
    expect(gaugeVerdictOfRecipe('m', { ...recipe, window: null })).toBeNull();
    expect(gaugeVerdictOfRecipe('m', { ...recipe, unit: undefined })).toBeNull();
  });
});

/*
 * The pass verdicts as the rules built them before (the literals and templates of the code this
 * replaced, copied verbatim): the lazy verdicts must read as these, key for key.
 */

function healthBefore(
  rule: HealthRule,
  ready: { t: number; v: number }[],
  restarts: number | null,
  segment?: string,
) {
  const newest = ready.at(-1) as { v: number };
  return {
    signal: 'health',
    rule: 'health',
    ...(segment === undefined ? {} : { segment }),
    window,
    samples: ready.length,
    status: 'pass',
    value: newest.v,
    threshold: rule.minReady,
    reason: `${show(newest.v * 100)}% of instances ready${restarts === null ? '' : `, ${show(restarts)} restart(s)`}`,
  };
}

function staticBefore(rule: StaticRule, value: number, samples: number, unit: string) {
  const bounds = [
    rule.min === undefined ? null : `>= ${show(rule.min, unit)}`,
    rule.max === undefined ? null : `<= ${show(rule.max, unit)}`,
  ].filter((b) => b !== null);
  return {
    signal: 'latency',
    rule: 'static',
    window,
    samples,
    value,
    status: 'pass',
    threshold: rule.max ?? rule.min ?? null,
    reason: `${show(value, unit)} is within ${bounds.join(' and ')}`,
  };
}

function ratioBefore(
  rule: BaselineRatioRule,
  value: number,
  samples: number,
  baseline: number,
  unit: string,
) {
  const threshold = Math.max(baseline * rule.maxRatio, baseline + rule.minDelta);
  const ratio = baseline > 0 ? value / baseline : value > 0 ? Number.POSITIVE_INFINITY : 1;
  return {
    signal: 'latency',
    rule: 'baseline-ratio',
    window,
    samples,
    status: 'pass',
    value,
    threshold,
    reason: `${show(value, unit)} is ${show(ratio)}x the pre-deploy ${show(baseline, unit)} (allowed up to ${show(threshold, unit)})`,
  };
}

describe('the rules give the pass verdicts they gave before', () => {
  it('property: health', () => {
    let passes = 0;
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }),
        fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
        fc.option(fc.constantFrom('zone=eu'), { nil: undefined }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (shares, restarts, segment, minReady) => {
          const rule = { type: 'health', minReady, maxRestarts: 3 } as HealthRule;
          const ready = shares.map((v, i) => ({ t: NOW - (shares.length - i) * 5_000, v }));
          const v = evaluateHealth(rule, {
            signal: 'health',
            ...(segment === undefined ? {} : { segment }),
            ready,
            restarts,
            window,
          });
          if (v.status !== 'pass') return;
          passes++;
          // Built at once with its remembered text (rules/health-check.ts `healthPassReason`):
          // the same verdict as before, and the same text when judged again.
          expect(isLazyGaugeVerdict(v)).toBe(false);
          expect(reads(v)).toEqual(reads(healthBefore(rule, ready, restarts, segment) as Verdict));
          const again = evaluateHealth(rule, { signal: 'health', ready, restarts, window });
          expect(again.reason).toBe(v.reason);
        },
      ),
      { numRuns: 300 },
    );
    expect(passes).toBeGreaterThan(30);
  });

  it('property: static range and baseline ratio', () => {
    const passes = { static: 0, ratio: 0 };
    fc.assert(
      fc.property(
        num(-1e6, 1e6),
        fc.option(num(-1e6, 1e6), { nil: undefined }),
        fc.option(num(-1e6, 1e6), { nil: undefined }),
        num(0, 1e6),
        fc.constantFrom('', ' ms'),
        (value, min, max, baseline, unit) => {
          const input = { signal: 'latency', value, samples: 40, window, unit };
          const rule = {
            type: 'static',
            ...(min === undefined ? {} : { min }),
            ...(max === undefined ? {} : { max }),
          };
          const s = evaluateStaticRange(rule as StaticRule, input);
          if (s.status === 'pass') {
            passes.static++;
            expect(isLazyGaugeVerdict(s)).toBe(true);
            expect(reads(s)).toEqual(reads(staticBefore(rule as StaticRule, value, 40, unit) as Verdict));
          }
          const ratioRule = { type: 'baseline-ratio', maxRatio: 1.5, minDelta: 10 } as BaselineRatioRule;
          const r = evaluateBaselineRatio(ratioRule, { ...input, value: Math.abs(value) }, baseline);
          if (r.status === 'pass') {
            passes.ratio++;
            expect(isLazyGaugeVerdict(r)).toBe(true);
            expect(reads(r)).toEqual(
              reads(ratioBefore(ratioRule, Math.abs(value), 40, baseline, unit) as Verdict),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(passes.static).toBeGreaterThan(30);
    expect(passes.ratio).toBeGreaterThan(30);
  });

  it('property: a resource trend within the limit', () => {
    let lazy = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 60 }),
        num(-2, 2),
        num(0, 5),
        fc.integer({ min: 1, max: 10_000 }),
        (n, slope, noise, seed) => {
          const rule = {
            type: 'rate-of-change',
            limit: 1_000,
            limitFromBaseline: 2,
            horizonSeconds: 3_600,
            maxPValue: 0.01,
          } as RateOfChangeRule;
          // A line with deterministic noise: slopes within the limit's pace and beyond it.
          const points = Array.from({ length: n }, (_, i) => ({
            t: NOW - (n - i) * 5_000,
            v: 400 + slope * i * 5 + noise * Math.sin(seed * (i + 1)),
          }));
          const v = evaluateRateOfChange(rule, {
            signal: 'memory',
            points,
            window,
            baseline: 400,
            unit: ' B',
          });
          if (!isLazyGaugeVerdict(v)) return;
          lazy++;
          const text = LazyGaugeVerdict.textOf(v);
          // The template before, from the limit and the seconds to it the verdict keeps.
          const seconds = text.b === null ? Number.POSITIVE_INFINITY : text.b;
          const before = {
            signal: 'memory',
            rule: 'rate-of-change',
            window,
            samples: n,
            status: 'pass',
            value: v.value,
            threshold: v.threshold,
            statistic: v.statistic,
            reason: `slope ${show(v.value, ' B/s')}: the limit ${show(1_000, ' B')} is ${Number.isFinite(seconds) ? `~${Math.round(seconds)} s` : 'never'} away at this rate`,
          };
          expect(text.a).toBe(1_000);
          expect(reads(v)).toEqual(reads(before as Verdict));
          // Held-out samples as signal-evaluation.ts `withHeldPoints` adds them to an eager verdict.
          const held = LazyGaugeVerdict.withHeld(v, 4, 20) as unknown as Verdict;
          const heldBefore = {
            ...before,
            surgeHeldSteps: 4,
            reason: `${before.reason}; 20 s under a load surge (or settling after it) held out`,
          };
          expect(reads(held)).toEqual(reads(heldBefore as Verdict));
        },
      ),
      { numRuns: 300 },
    );
    expect(lazy).toBeGreaterThan(30);
  });
});
