import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EXAMPLE_SCENARIOS_DIR,
  type LoadedScenario,
  loadScenarios,
  type Scenario,
} from '@rollgate/testkit/scenarios';
import { beforeAll, describe, expect, it } from 'vitest';
import { corpusSpecs } from '../../src/scenarios/catalog';
import { CORPUS_DIR, corpusFiles, generateCorpus } from '../../src/scenarios/generate';
import { synthesize } from '../../src/scenarios/synthesize';
import { checkTruth } from '../../src/scenarios/truth-check';
import { sprtExpectedSecondsRamped } from '../../src/stats/sprt';

const EXAMPLES = EXAMPLE_SCENARIOS_DIR;

let corpus: LoadedScenario[];
beforeAll(async () => {
  const results = await loadScenarios([CORPUS_DIR]);
  const bad = results.filter((r) => !r.ok);
  expect(bad).toEqual([]);
  corpus = results.filter((r): r is LoadedScenario => r.ok);
});

const sum = (xs: readonly number[], from = 0, to = xs.length) =>
  xs.slice(from, to).reduce((a, b) => a + b, 0);
const byName = (name: string) => {
  const found = corpus.find((c) => c.scenario.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};

describe('the committed corpus', () => {
  it('is what the generator produces, byte for byte (regenerate with the README command)', async () => {
    const files = corpusFiles(generateCorpus());
    const onDisk = (await readdir(CORPUS_DIR)).filter((f) => f.endsWith('.json')).sort();
    expect(onDisk).toEqual([...files.keys()].sort());
    for (const [name, text] of files) expect(await readFile(join(CORPUS_DIR, name), 'utf8')).toBe(text);
  }, 30_000);

  it('holds at least 60 scenarios of every kind the issue lists, all with generator metadata', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(corpus.every((c) => c.meta !== null)).toBe(true);
    const names = corpus.map((c) => c.scenario.name).join(' ');
    for (const kind of [
      'keep-steady',
      'keep-noisy',
      'keep-spike',
      'keep-cold-start',
      'keep-low-traffic',
      'keep-diurnal',
      'keep-high-traffic',
      'rollback-errors-small',
      'rollback-errors-ramp',
      'rollback-latency-x',
      'rollback-latency-ramp',
      'rollback-leak',
      'rollback-probe',
      'rollback-crashloop',
      'rollback-segment',
      'incident-',
    ]) {
      expect(names).toContain(kind);
    }
    const verdicts = (v: string) => corpus.filter((c) => c.scenario.truth.verdict === v).length;
    expect(verdicts('keep')).toBeGreaterThanOrEqual(20);
    expect(verdicts('rollback')).toBeGreaterThanOrEqual(30);
    expect(verdicts('incident')).toBeGreaterThanOrEqual(5);
    const onsets = corpus.flatMap((c) =>
      c.scenario.truth.verdict === 'rollback'
        ? [(c.scenario.truth.faultStartStep ?? 0) - c.scenario.deployAtStep]
        : [],
    );
    expect(onsets.filter((o) => o === 0).length).toBeGreaterThanOrEqual(5); // at the deploy
    expect(onsets.filter((o) => o >= 24).length).toBeGreaterThanOrEqual(8); // minutes later
  });

  it("has the examples' shape: 5 s steps, 30 min baseline, 15 min bake, every series present", () => {
    for (const { scenario } of corpus) {
      expect(scenario.stepSeconds).toBe(5);
      expect(scenario.deployAtStep).toBe(360);
      expect(scenario.series.requests).toHaveLength(540);
      for (const key of ['cpuCores', 'memoryBytes', 'ready', 'restarts'] as const) {
        expect(scenario.series[key]).toHaveLength(540);
      }
    }
  });

  it("records sprt_seconds for error-rate faults with Wald's expected sample number / rps (through the ramp)", () => {
    for (const { scenario, meta } of corpus) {
      const fault = meta?.fault;
      if (fault?.kind === 'errors') {
        expect(meta?.sprt_seconds).toBeCloseTo(
          sprtExpectedSecondsRamped(
            meta?.p0 ?? 0,
            fault.p1 as number,
            meta?.rps ?? 0,
            fault.ramp_s as number | undefined,
          ),
          9,
        );
      } else if (fault?.kind === 'segment') {
        expect(meta?.sprt_seconds).toBeGreaterThan(0);
      } else {
        expect(meta?.sprt_seconds, scenario.name).toBeUndefined();
      }
    }
    expect(byName('rollback-errors-reference-10rps').meta?.sprt_seconds).toBeCloseTo(15.49, 1);
  });

  it('has a fair truth for every scenario, and so do the shared examples (reference tests)', async () => {
    const examples = (await loadScenarios([EXAMPLES])).filter((r): r is LoadedScenario => r.ok);
    for (const { scenario } of [...corpus, ...examples]) {
      const check = checkTruth(scenario);
      expect(check.ok, `${scenario.name}: ${check.reason}`).toBe(true);
    }
  });
});

describe('generated statistics match the generator parameters', () => {
  it('request counts follow rps and are Poisson-like (variance/mean near 1 after the drift)', () => {
    for (const { scenario, meta } of corpus) {
      if (!meta || meta.rps < 5 || meta.traffic === undefined) continue;
      const r = scenario.series.requests.slice(0, 300);
      const mean = sum(r) / r.length;
      // The drift (amplitude <= 0.5) moves the mean; within 50% of rps·5 on any 25 minutes.
      expect(mean / (meta.rps * 5), scenario.name).toBeGreaterThan(0.5);
      expect(mean / (meta.rps * 5), scenario.name).toBeLessThan(1.5);
      // Successive differences cancel the slow drift: Var(x_t - x_t-1) = 2·mean for Poisson.
      const diffs = r.slice(1).map((x, i) => x - (r[i] as number));
      const dv = sum(diffs.map((d) => d * d)) / diffs.length / (2 * mean);
      const noisy = (meta as { traffic?: { noise?: number } }).traffic?.noise !== undefined;
      const spiky = scenario.name.includes('spike');
      if (!noisy && !spiky) {
        expect(dv, scenario.name).toBeGreaterThan(0.75);
        expect(dv, scenario.name).toBeLessThan(1.3);
      }
    }
  });

  it('the baseline error rate is p0 within binomial tolerance', () => {
    for (const { scenario, meta } of corpus) {
      if (!meta) continue;
      const end =
        scenario.truth.verdict === 'incident' ? (scenario.truth.faultStartStep ?? 0) : scenario.deployAtStep;
      const n = sum(scenario.series.requests, 0, end);
      if (n < 2000) continue;
      const observed = sum(scenario.series.errors, 0, end) / n;
      const sd = Math.sqrt((meta.p0 * (1 - meta.p0)) / n);
      const noise = (meta as { error_noise?: number }).error_noise ? 2 : 1;
      expect(Math.abs(observed - meta.p0), scenario.name).toBeLessThan(4.5 * sd * noise + 0.0005);
    }
  });

  it('a sudden error fault reaches p1 from its onset', () => {
    for (const { scenario, meta } of corpus) {
      const f = meta?.fault;
      if (f?.kind !== 'errors' || f.ramp_s !== undefined) continue;
      const start = scenario.truth.faultStartStep ?? 0;
      const n = sum(scenario.series.requests, start);
      const observed = sum(scenario.series.errors, start) / n;
      const p1 = f.p1 as number;
      expect(Math.abs(observed - p1), scenario.name).toBeLessThan(
        4.5 * Math.sqrt((p1 * (1 - p1)) / n) + 0.001,
      );
    }
  });

  it('latency: p99 near median·exp(2.326·sigma) at baseline and scaled by the fault factor', () => {
    for (const { scenario, meta } of corpus) {
      if (!meta || meta.rps < 20) continue;
      const p99 = (from: number, to: number) => {
        const xs = scenario.series.latencyP99Ms.slice(from, to).filter((x): x is number => x !== null);
        return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
      };
      const expected = meta.median_ms * Math.exp(2.326 * meta.sigma);
      const noisy = scenario.name.includes('noisy') || scenario.name.includes('spike');
      if (!noisy) {
        expect(p99(0, 240) / expected, scenario.name).toBeGreaterThan(0.85);
        expect(p99(0, 240) / expected, scenario.name).toBeLessThan(1.15);
      }
      const f = meta.fault;
      if (f?.kind === 'latency' && f.ramp_s === undefined && f.share === undefined) {
        const start = scenario.truth.faultStartStep ?? 0;
        const ratio = p99(start, 540) / p99(0, 360);
        expect(ratio / (f.factor as number), scenario.name).toBeGreaterThan(0.85);
        expect(ratio / (f.factor as number), scenario.name).toBeLessThan(1.15);
      }
      // Every histogram row counts every request.
      scenario.series.latencyHistogram.forEach((row, i) => {
        expect(sum(row)).toBe(scenario.series.requests[i]);
      });
    }
  });

  it('memory grows at the leak slope, and OOM restarts reset it at the limit', () => {
    const { scenario, meta } = byName('rollback-leak-3MBps');
    const mem = scenario.series.memoryBytes ?? [];
    const start = scenario.truth.faultStartStep ?? 0;
    const restarts = (scenario.series.restarts ?? []).flatMap((r, i) => (r > 0 ? [i] : []));
    expect(restarts.length).toBeGreaterThanOrEqual(2);
    const first = restarts[0] as number;
    const slope = ((mem[first - 1] as number) - (mem[start + 1] as number)) / ((first - 2 - start) * 5);
    expect(slope / 3e6).toBeGreaterThan(0.97);
    expect(slope / 3e6).toBeLessThan(1.03);
    expect(mem[first - 1] as number).toBeLessThanOrEqual((meta?.fault?.limit as number) + 1e7);
    expect(mem[first] as number).toBeLessThan(7e8);
    // The OOM kill fails a share of that step's requests.
    expect(
      (scenario.series.errors[first] as number) / (scenario.series.requests[first] as number),
    ).toBeGreaterThan(0.05);
  });

  it('readiness, crash loops and cold starts have the intended shapes', () => {
    const probe = byName('rollback-probe-2-of-5').scenario;
    expect(new Set(probe.series.ready?.slice(360))).toEqual(new Set([0.6]));
    expect(new Set(probe.series.ready?.slice(0, 360))).toEqual(new Set([1]));

    const crash = byName('rollback-crashloop').scenario;
    const crashes = (crash.series.restarts ?? []).flatMap((r, i) => (r > 0 ? [i] : []));
    expect(crashes[0]).toBe(366);
    // CrashLoopBackOff: the gaps between crashes grow.
    const gaps = crashes.slice(1).map((c, i) => c - (crashes[i] as number));
    expect(gaps[gaps.length - 1] as number).toBeGreaterThan(gaps[0] as number);
    expect(Math.min(...(crash.series.ready ?? [])).toFixed(4)).toBe('0.6667');

    for (const [name, steps] of [
      ['keep-cold-start-15s', 3],
      ['keep-cold-start-60s', 12],
    ] as const) {
      const s = byName(name).scenario;
      const p = s.series.latencyP99Ms as number[];
      const base = p.slice(300, 360).sort((a, b) => a - b)[30] as number;
      for (let t = 360; t < 360 + steps; t++)
        expect((p[t] as number) / base, `${name} step ${t}`).toBeGreaterThan(2);
      const after = p.slice(360 + steps + 12, 360 + steps + 72).sort((a, b) => a - b)[30] as number;
      expect(after / base).toBeLessThan(1.3);
    }
  });

  it('segment failures stay in their segment and are included in the totals', () => {
    const { scenario } = byName('rollback-segment-safari');
    const seg = scenario.segments?.['browser=safari'];
    expect(seg).toBeDefined();
    if (!seg) return;
    const share = sum(seg.requests) / sum(scenario.series.requests);
    expect(share).toBeGreaterThan(0.025);
    expect(share).toBeLessThan(0.035);
    expect(sum(seg.errors, 0, 360)).toBe(0);
    const start = scenario.truth.faultStartStep ?? 0;
    const rate = sum(seg.errors, start) / sum(seg.requests, start);
    expect(rate).toBeGreaterThan(0.22);
    expect(rate).toBeLessThan(0.38);
  });
});

describe('the generator', () => {
  it('gives byte-identical output for the same seed and different data for another', () => {
    const spec = corpusSpecs().find((s) => s.name === 'rollback-errors-5pct-20rps');
    expect(spec).toBeDefined();
    if (!spec) return;
    const a = JSON.stringify(synthesize(spec));
    const b = JSON.stringify(synthesize(spec));
    expect(a).toBe(b);
    const other = JSON.stringify(synthesize({ ...spec, seed: spec.seed + 1 }).scenario.series.requests);
    expect(other).not.toBe(
      JSON.stringify((JSON.parse(a) as { scenario: Scenario }).scenario.series.requests),
    );
    expect(JSON.stringify(corpusSpecs('another-seed'))).not.toBe(JSON.stringify(corpusSpecs()));
  });
});
