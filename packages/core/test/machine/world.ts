import { expect } from 'vitest';
import type { ContractInput } from '../../src/contract/contract-schema';
import { defaultSignals } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import { RollgateError } from '../../src/errors/rollgate-error';
import { type ControllerOptions, createController } from '../../src/machine/controller';
import type { MachineSnapshot } from '../../src/machine/machine-state';
import type { ArtifactRef } from '../../src/ports/executor';
import { createMemoryArtifactStore } from '../../src/testing/memory-artifact-store';
import { createMemoryAuditSink } from '../../src/testing/memory-audit-sink';
import { createMemoryExecutor } from '../../src/testing/memory-executor';
import type { FaultInjector } from '../../src/testing/memory-faults';
import { MemoryMetricSource, type StepData } from '../../src/testing/memory-source';
import { createMemoryStateStore } from '../../src/testing/memory-state-store';
import { createMemoryLeaseTable } from '../../src/testing/memory-watch-lease';
import { createRecordingNotifier } from '../../src/testing/recording-notifier';
import { type Random, seededRandom } from '../../src/testing/seeded-random';
import { runOnClock, SimulatedClock } from '../../src/testing/simulated-clock';
import { insecureTestSigner } from '../../src/testing/test-signer';

export const STEP = 5_000;
export const START = 1_700_000_000_000;
export const BASELINE_STEPS = 360;
export const DEPLOY_AT = START + BASELINE_STEPS * STEP;

/** Healthy steps: ~100 requests per 5 s, 0.5% errors, latency well under 100 ms. */
export function healthy(i: number, extra: Partial<StepData> = {}): StepData {
  const requests = 95 + ((i * 7) % 11);
  return {
    requests,
    errors: i % 2 === 0 ? 1 : 0,
    latencyHistogram: [0, 0, 15, 50, requests - 65, 0, 0, 0, 0, 0, 0, 0],
    memory: 300e6 + ((i * 37) % 5) * 1e6,
    ready: 1,
    restarts: 0,
    ...extra,
  };
}

/**
 * Step data drawn once per step index from one seeded stream, so a step reads the same whichever
 * order and however often the watch reads it: `draw` gets the stream, the step's index and k,
 * counted from the deploy (0: the last step before it, 1: the first after it).
 */
export function seededSteps(
  seed: number,
  draw: (random: Random, i: number, k: number) => StepData,
): (i: number) => StepData {
  const random = seededRandom(seed);
  const steps = new Map<number, StepData>();
  return (i) => {
    const cached = steps.get(i);
    if (cached) return cached;
    const step = draw(random, i, i - BASELINE_STEPS + 1);
    steps.set(i, step);
    return step;
  };
}

/** A share going from `from` to `to` linearly over `steps` steps from k = `start` (k as in {@link seededSteps}). */
export const ramp =
  (from: number, to: number, start: number, steps: number) =>
  (k: number): number =>
    from + (to - from) * Math.min(1, Math.max(0, (k - start) / steps));

/** A bad release: 10% errors from `fromStep` steps after the deploy. */
export function errorsFrom(fromStep: number): (i: number) => StepData {
  return (i) => {
    const s = healthy(BASELINE_STEPS + i);
    return i >= fromStep ? { ...s, errors: Math.round((s.requests ?? 0) * 0.1) } : s;
  };
}

export interface WorldOptions {
  /** Post-deploy data of the new version, by step index after the deploy. */
  readonly after?: (i: number) => StepData;
  /** Pre-deploy data, by absolute step index (default: healthy). */
  readonly before?: (i: number) => StepData;
  readonly contract?: Partial<ContractInput>;
  /** What the artifact store holds for v1: verified (default), nothing, or a tampered record. */
  readonly v1?: 'verified' | 'missing' | 'tampered';
  readonly v1Schema?: ArtifactRef['schema'];
  readonly v2Schema?: ArtifactRef['schema'];
  /** Whether switching back to v1 restores healthy telemetry (default true). */
  readonly recovers?: boolean;
  /** The restored v1's telemetry, by absolute step index (default: healthy). */
  readonly restored?: (i: number) => StepData;
  /** Controller options over the world's own; `state` swaps the in-memory store for another (a file store). */
  readonly controller?: Partial<
    Omit<
      ControllerOptions,
      'contract' | 'sources' | 'executor' | 'artifacts' | 'audit' | 'notifier' | 'clock'
    >
  >;
  readonly fault?: FaultInjector;
  readonly supportsWeights?: boolean;
  readonly bakeSteps?: number;
  /** A lease table the state store checks fenced saves against (give controllers leases via `restart`). */
  readonly leases?: boolean;
}

/** A whole controller over in-memory ports and a simulated clock. */
export function world(options: WorldOptions = {}) {
  const contract = parseContract({
    service: 'checkout',
    stepSeconds: 5,
    bakeSeconds: 120,
    warmupSeconds: 30,
    signals: defaultSignals(),
    ...options.contract,
  });
  const clock = new SimulatedClock(DEPLOY_AT);
  const total = BASELINE_STEPS + (options.bakeSteps ?? 400);
  const steps: StepData[] = [];
  const before = options.before ?? healthy;
  const after = options.after ?? ((i: number) => healthy(BASELINE_STEPS + i));
  for (let i = 0; i < BASELINE_STEPS; i++) steps.push(before(i));
  for (let i = BASELINE_STEPS; i < total; i++) steps.push(after(i - BASELINE_STEPS));
  const source = new MemoryMetricSource({ clock, startMs: START, stepMs: STEP, steps });
  const v1: ArtifactRef = {
    id: 'v1',
    revision: 'aaa111',
    ...(options.v1Schema ? { schema: options.v1Schema } : {}),
  };
  const v2: ArtifactRef = {
    id: 'v2',
    revision: 'bbb222',
    ...(options.v2Schema ? { schema: options.v2Schema } : {}),
  };
  const executor = createMemoryExecutor({
    artifacts: [v2, v1],
    current: 'v2',
    supportsWeights: options.supportsWeights ?? false,
    onSwitch: (to) => {
      if (to.id !== 'v1' || options.recovers === false) return;
      // The old version serves again: from the next step on, telemetry is healthy.
      const from = Math.ceil((clock.now() - START) / STEP);
      const restored: StepData[] = [];
      for (let i = from; i < total; i++) restored.push((options.restored ?? healthy)(i));
      source.overwrite(from, restored);
    },
  });
  const signer = insecureTestSigner();
  const fault = options.fault ? { fault: options.fault } : {};
  const artifacts = createMemoryArtifactStore({ signer, ...fault });
  const leases = createMemoryLeaseTable(clock);
  const state = createMemoryStateStore({ ...fault, ...(options.leases ? { leases } : {}) });
  const audit = createMemoryAuditSink(fault);
  const notifier = createRecordingNotifier(fault);
  const ctx = { signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY };
  const seeded = (async () => {
    if ((options.v1 ?? 'verified') === 'missing') return;
    await artifacts.record(
      {
        service: 'checkout',
        artifact: v1,
        verifiedAt: DEPLOY_AT - 86_400_000,
        evidence: { summary: 'baked 600 s', bakeSeconds: 600, signals: [] },
      },
      ctx,
    );
    if (options.v1 === 'tampered') artifacts.tamper('checkout', 'v1', { verifiedAt: DEPLOY_AT - 1000 });
  })();
  const make = (extra: WorldOptions['controller'] = {}) =>
    createController({
      contract,
      sources: { default: source },
      executor,
      artifacts,
      state,
      audit,
      notifier,
      clock,
      settleMs: 0,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      ...options.controller,
      ...extra,
    });
  const controller = make();
  return {
    contract,
    clock,
    source,
    executor,
    artifacts,
    state,
    audit,
    notifier,
    controller,
    leases,
    /** A new controller over the same ports (a restarted process, or another controller). */
    restart: make,
    async watch(c = controller, signal?: AbortSignal) {
      await seeded;
      return runOnClock(
        clock,
        c.watch({ artifactId: 'v2', deployedAt: DEPLOY_AT }, signal ? { signal } : {}),
      );
    },
  };
}

type World = ReturnType<typeof world>;

/** Every save the controller makes, in order: key, JSON size (0 for a cleared key), the value. */
export function recordSaves(w: World): { key: string; bytes: number; value: unknown }[] {
  const saves: { key: string; bytes: number; value: unknown }[] = [];
  const save = w.state.save.bind(w.state);
  w.state.save = async (key, value, ctx) => {
    saves.push({ key, bytes: value === null ? 0 : JSON.stringify(value).length, value });
    return save(key, value, ctx);
  };
  return saves;
}

/**
 * Runs `w` until a save `crashesAfter` says so has reached the store, then aborts it before
 * anything more is saved (a crash between two writes): the stored state stays. Returns the
 * watch's id.
 */
export async function crashAfterSave(
  w: World,
  crashesAfter: (key: string, value: unknown) => boolean,
): Promise<string> {
  const save = w.state.save.bind(w.state);
  const abort = new AbortController();
  w.state.save = async (key, value, ctx) => {
    if (abort.signal.aborted) return { ok: false, error: new RollgateError('ABORTED', 'crashed') };
    const saved = await save(key, value, ctx);
    if (crashesAfter(key, value)) abort.abort(new Error('crash'));
    return saved;
  };
  await w.watch(w.controller, abort.signal).then(
    () => expect.unreachable('the watch should have been stopped'),
    (e: unknown) => expect(RollgateError.is(e) && e.code).toBe('ABORTED'),
  );
  w.state.save = save;
  return w.state.keys.find((k) => k.startsWith('watch/'))?.slice('watch/'.length) ?? '';
}

/** Runs `w` until `stopWhen` says so at a step, then aborts it (a crash): the stored state stays. */
export async function crashWhen(w: World, stopWhen: (snapshot: MachineSnapshot) => boolean): Promise<string> {
  const abort = new AbortController();
  let watchId = '';
  w.controller.events.on('step', ({ snapshot }) => {
    watchId = snapshot.watchId;
    if (stopWhen(snapshot)) abort.abort(new Error('crash'));
  });
  await w.watch(w.controller, abort.signal).then(
    () => expect.unreachable('the watch should have been stopped'),
    (e: unknown) => expect(RollgateError.is(e) && e.code).toBe('ABORTED'),
  );
  return watchId;
}

/** Steps of `requests(i)` requests, `rate(i)` of them failing (spread evenly, deterministic). */
export function errorsAtRate(
  rate: (i: number) => number,
  requests: (i: number) => number,
): (i: number) => StepData {
  let carried = 0;
  const errors: number[] = [];
  return (i: number): StepData => {
    for (let j = errors.length; j <= i; j++) {
      const exact = requests(j) * rate(j) + carried;
      errors.push(Math.floor(exact));
      carried = exact - Math.floor(exact);
    }
    return { ...healthy(i), requests: requests(i), errors: errors[i] as number };
  };
}

/**
 * An error rate climbing `perMinute` from `base` through the baseline and the bake, times `fault`
 * from `faultStep` steps after the deploy.
 */
export const climbingRate =
  (base: number, perMinute: number, fault = 1, faultStep = Number.POSITIVE_INFINITY) =>
  (i: number): number =>
    base *
    Math.exp((i * STEP * Math.log(1 + perMinute)) / 60_000) *
    (i >= BASELINE_STEPS + faultStep ? fault : 1);
