import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import type { OnsetFinding } from '../../src/evaluation/onset';
import type { Controller } from '../../src/machine/controller';
import type { MetricRequest, ReadResult } from '../../src/ports/metric-source';
import { seededRandom } from '../../src/testing/seeded-random';
import { BASELINE_STEPS, climbingRate, errorsAtRate, world } from '../machine/world';

// docs/architecture.md, "The onset gate's repeated looks": a look at a breach the trend explained
// reads only the steps after the previous look's (and an overlap a source may still revise),
// joined onto the history that look read; the same findings as a full read.

const _STEP = 5_000;
const _MINUTE = 60_000;

interface Look {
  readonly reads: number;
  readonly samples: number;
  readonly earliest: number;
  readonly finding: OnsetFinding;
}

/**
 * A world on the climb whose gate's looks are recorded (the reads and samples each sent, and its
 * finding); `full`: every look is handed a copy of the previous look, so no history is found for
 * it and it reads in full, as a process that never kept one.
 */
function looked(
  rate: (i: number) => number,
  requests: (i: number) => number,
  options: { full?: boolean; revise?: boolean; failAtLook?: number } = {},
) {
  const data = errorsAtRate(rate, requests);
  const w = world({
    before: data,
    after: (i) => data(BASELINE_STEPS + i),
    contract: { bakeSeconds: 600 },
    bakeSteps: 200,
  });
  const looks: Look[] = [];
  let current: { reads: number; samples: number; earliest: number } | null = null;
  const seen = new Map<string, number>();
  let revised = 0;
  const read = w.source.read.bind(w.source);
  w.source.read = async (request: MetricRequest, ctx) => {
    let result: ReadResult = await read(request, ctx);
    if (options.revise && result.status === 'ok' && request.query.measure === 'errors') {
      // Late samples: an error count younger than the signal's 30 s lag is still settling (a
      // backend's extrapolated rate over a partial window reads high, then comes down).
      const now = w.clock.now();
      result = {
        status: 'ok',
        series: result.series.map((s) => ({
          labels: s.labels,
          samples: s.samples.map((p) => {
            const age = now - p.t;
            return age >= 30_000 ? p : { t: p.t, v: Math.ceil(p.v * (age < 10_000 ? 1.5 : 1.2)) };
          }),
        })),
      };
    }
    if (current !== null && result.status === 'ok') {
      current.reads++;
      for (const s of result.series) {
        current.samples += s.samples.length;
        for (const p of s.samples) {
          current.earliest = Math.min(current.earliest, p.t);
          const key = `${request.query.measure}@${p.t}`;
          const before = seen.get(key);
          if (before !== undefined && before !== p.v) revised++;
          seen.set(key, p.v);
        }
      }
    }
    return result;
  };
  const instrument = (controller: Controller) => {
    const findOnset = controller.evaluator.findOnset.bind(controller.evaluator);
    controller.evaluator.findOnset = async (state, signal, segment, ctx, rule, trend) => {
      current = { reads: 0, samples: 0, earliest: Number.POSITIVE_INFINITY };
      if (looks.length === options.failAtLook) {
        // The source is down for this look's first two reads: the events and the trials.
        const down = new RollgateError('SOURCE_UNAVAILABLE', 'the source is down', { retryable: true });
        w.source.failNext({ status: 'error', error: down }, 2);
      }
      try {
        const finding = await findOnset(
          state,
          signal,
          segment,
          ctx,
          rule,
          options.full && trend !== undefined ? { ...trend } : trend,
        );
        looks.push({ ...current, finding });
        return finding;
      } finally {
        current = null;
      }
    };
    return controller;
  };
  instrument(w.controller);
  return { w, looks, instrument, revised: () => revised };
}

/** What a watch decided, and every finding of its gate. */
function decisions(result: Awaited<ReturnType<ReturnType<typeof world>['watch']>>, looks: readonly Look[]) {
  return {
    outcome: result.outcome,
    reason: result.reason,
    phases: result.snapshot.phases.map((p) => [p.state, p.at, p.reason]),
    findings: looks.map((l) => l.finding),
  };
}

describe('the onset gate reads a repeated look from the previous look on', () => {
  it('finds what a full read finds at every look, on random climbs with and without a later fault (seeded)', async () => {
    const u = seededRandom(1711);
    let repeated = 0;
    const outcomes = new Set<string>();
    for (let k = 0; k < 6; k++) {
      const base = 0.002 + u() * 0.003;
      const perMinute = 0.02 + u() * 0.02;
      const n = 300 + Math.floor(u() * 700);
      const requests = (i: number) => n + ((i * 13) % 17);
      const rate =
        k % 2 === 0
          ? climbingRate(base, perMinute)
          : climbingRate(base, perMinute, 3, 60 + Math.floor(u() * 60));
      const kept = looked(rate, requests);
      const full = looked(rate, requests, { full: true });
      const a = await kept.w.watch();
      const b = await full.w.watch();
      expect(decisions(a, kept.looks)).toEqual(decisions(b, full.looks));
      outcomes.add(a.outcome);
      // The first look reads the whole history; each repeated one the new steps and the overlap.
      for (const [i, look] of kept.looks.entries()) {
        const whole = full.looks[i] as Look;
        if (kept.looks[i - 1]?.finding.explained === undefined) {
          expect(look.samples).toBe(whole.samples);
          continue;
        }
        repeated++;
        expect(look.reads).toBe(2);
        // 30 s of lag: 7 steps again, and the steps since the previous look (one a step).
        expect(look.samples).toBeLessThanOrEqual(2 * 10);
        expect(whole.samples).toBeGreaterThan(2 * 300);
      }
    }
    expect(repeated).toBeGreaterThan(60);
    expect(outcomes.has('incident-routed') && outcomes.has('rolled-back')).toBe(true);
  });

  it('reads again the steps a source may still revise: the same findings as a full read', async () => {
    const rate = climbingRate(0.003, 0.03, 3, 100);
    const requests = (i: number) => 800 + ((i * 7) % 11);
    const kept = looked(rate, requests, { revise: true });
    const full = looked(rate, requests, { revise: true, full: true });
    const a = await kept.w.watch();
    const b = await full.w.watch();
    expect(decisions(a, kept.looks)).toEqual(decisions(b, full.looks));
    expect(kept.looks.length).toBeGreaterThan(5);
    // The looks did meet revised steps (a value read again changed since the look before).
    expect(kept.revised()).toBeGreaterThan(0);
  });
});

describe('a look that could not read', () => {
  it('keeps the previous look’s history: the machine’s next try reads the tail, with the same findings', async () => {
    const rate = climbingRate(0.003, 0.03);
    const requests = () => 1000;
    // At the second look: the machine tries a look again while its validation attempts last
    // (they count every look of the breach, so a later look's failure escalates at once).
    const kept = looked(rate, requests, { failAtLook: 1 });
    const full = looked(rate, requests, { failAtLook: 1, full: true });
    const a = await kept.w.watch();
    const b = await full.w.watch();
    expect(decisions(a, kept.looks)).toEqual(decisions(b, full.looks));
    const failed = kept.looks[1] as Look;
    expect(failed.finding.status).toBe('unknown');
    expect(failed.finding.reason).toMatch(/the source is down/);
    // The next try passes the same previous look: its history is still kept.
    const retried = kept.looks[2] as Look;
    expect(retried.finding.status).toBe('ok');
    expect(retried.reads).toBe(2);
    expect(retried.samples).toBeLessThanOrEqual(2 * 10);
    expect(a.outcome, a.reason).toBe('incident-routed');
  });
});

describe('a watch crashed between looks', () => {
  for (const how of ['a restarted process', 'the same controller'] as const) {
    it(`resumes in ${how} to the same decisions, its first look read in full`, async () => {
      const rate = climbingRate(0.003, 0.03);
      const requests = () => 1000;
      const reference = looked(rate, requests);
      const done = await reference.w.watch();
      expect(done.outcome, done.reason).toBe('incident-routed');
      const crashed = looked(rate, requests);
      const abort = new AbortController();
      let crashedAtLook = 0;
      crashed.w.controller.events.on('step', ({ snapshot }) => {
        const look = snapshot.onset?.explained?.look ?? 0;
        if (snapshot.state === 'Watching' && look >= 3 && crashedAtLook === 0) {
          crashedAtLook = look;
          abort.abort(new Error('crash'));
        }
      });
      await crashed.w.watch(crashed.w.controller, abort.signal).then(
        () => expect.unreachable('the watch should have been stopped'),
        (e: unknown) => expect(RollgateError.is(e) && e.code).toBe('ABORTED'),
      );
      expect(crashedAtLook).toBe(3);
      const before = crashed.looks.length;
      const controller =
        how === 'a restarted process' ? crashed.instrument(crashed.w.restart()) : crashed.w.controller;
      const resumed = await crashed.w.watch(controller);
      expect(resumed.outcome, resumed.reason).toBe(done.outcome);
      expect(resumed.reason).toBe(done.reason);
      // Every finding of the gate the same, before the crash and after it.
      expect(crashed.looks.map((l) => l.finding)).toEqual(reference.looks.map((l) => l.finding));
      // The resumed watch's first look read the whole history (the kept one is not in the
      // snapshot, and the loaded snapshot's look is another object), its next ones the tail.
      const first = crashed.looks[before] as Look;
      expect((reference.looks[before] as Look).samples).toBeLessThanOrEqual(2 * 10);
      expect(first.samples).toBeGreaterThan(2 * 400);
      expect(first.finding.explained?.look).toBe(4);
      const next = crashed.looks[before + 1] as Look;
      expect(next.samples).toBeLessThanOrEqual(2 * 10);
    });
  }
});
