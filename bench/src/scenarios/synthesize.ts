import { PROMETHEUS_DEFAULT_BUCKETS_MS, type Scenario } from '@rollgate/testkit/scenarios';
import { sortedQuantile } from '../stats/histogram-quantile';
import { sprtExpectedSeconds, sprtExpectedSecondsRamped } from '../stats/sprt';
import { Prng } from './prng';
import type { FaultSpec, ScenarioSpec } from './scenario-spec';

/** Step length of every generated scenario, as in the shared examples. */
export const STEP_SECONDS = 5;
/** 30 minutes of pre-deploy baseline. */
export const DEFAULT_PRE_STEPS = 360;
/** 15 minutes of bake. */
export const DEFAULT_BAKE_STEPS = 180;

/** Extra failure probability in the step where a pod is OOM-killed (the examples show ~15%). */
const OOM_ERROR_RATE = 0.15;
/** Kubernetes CrashLoopBackOff: 10 s doubling to a 300 s cap. */
const BACKOFF_START_S = 10;
const BACKOFF_CAP_S = 300;

/** `_meta.json` entry of a generated scenario (the examples' keys, plus generator extras). */
export interface GeneratedMeta {
  readonly rps: number;
  readonly p0: number;
  readonly median_ms: number;
  readonly sigma: number;
  readonly fault: Record<string, number | string> | null;
  readonly sprt_seconds?: number;
  readonly [extra: string]: unknown;
}

/** A generated scenario and its metadata. */
export interface GeneratedScenario {
  readonly scenario: Scenario;
  readonly meta: GeneratedMeta;
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

function faultStartStep(fault: FaultSpec | null, deployAtStep: number): number | null {
  if (fault === null) return null;
  if (fault.kind === 'preexisting' || fault.kind === 'preexisting-latency')
    return deployAtStep - fault.before;
  return deployAtStep + fault.at;
}

function truthSignal(fault: FaultSpec | null): string | undefined {
  switch (fault?.kind) {
    case undefined:
      return undefined;
    case 'errors':
    case 'segment':
    case 'preexisting':
      return 'error-rate';
    case 'latency':
    case 'miss-path':
    case 'preexisting-latency':
      return 'latency';
    case 'leak':
      return 'resource';
    case 'probe':
    case 'crashloop':
      return 'health';
  }
}

/** Ramp progress in [0, 1] of a fault that began `sinceStart` steps ago. */
function ramp(sinceStart: number, rampSeconds: number | undefined): number {
  if (sinceStart < 0) return 0;
  if (!rampSeconds) return 1;
  return Math.min(1, ((sinceStart + 1) * STEP_SECONDS) / rampSeconds);
}

function metaFault(spec: ScenarioSpec): Record<string, number | string> | null {
  const f = spec.fault;
  if (f === null) return null;
  switch (f.kind) {
    case 'errors':
      return { kind: 'errors', p1: f.p1, at: f.at, ...(f.rampSeconds ? { ramp_s: f.rampSeconds } : {}) };
    case 'latency':
      return {
        kind: 'latency',
        factor: f.factor,
        at: f.at,
        ...(f.rampSeconds ? { ramp_s: f.rampSeconds } : {}),
        ...(f.share !== undefined && f.share < 1 ? { share: f.share } : {}),
      };
    case 'miss-path':
      return {
        kind: 'miss-path',
        factor: f.factor,
        at: f.at,
        ...(f.rampSeconds ? { ramp_s: f.rampSeconds } : {}),
      };
    case 'leak':
      return { kind: 'leak', bytes_per_s: f.bytesPerSecond, limit: f.limitBytes, at: f.at };
    case 'probe':
      return { kind: 'probe', ready: round(f.readyPods / spec.service.pods, 4), at: f.at };
    case 'crashloop':
      return { kind: 'crashloop', at: f.at, up_s: f.upSeconds, crash_error_rate: f.crashErrorRate };
    case 'segment':
      return { kind: 'segment', segment: f.segment, p1: f.p1, at: f.at };
    case 'preexisting':
      return {
        kind: 'preexisting',
        p1: f.p1,
        before: f.before,
        ...(f.recoverAt !== undefined ? { recover_at: f.recoverAt } : {}),
        ...(f.rampSeconds ? { ramp_s: f.rampSeconds } : {}),
      };
    case 'preexisting-latency':
      return {
        kind: 'preexisting-latency',
        factor: f.factor,
        before: f.before,
        ...(f.recoverAt !== undefined ? { recover_at: f.recoverAt } : {}),
        ...(f.rampSeconds ? { ramp_s: f.rampSeconds } : {}),
      };
  }
}

/**
 * Wald's expected SPRT detection time (alpha = beta = 0.01) of an error-rate fault: on the
 * whole service for `errors` (through the ramp when it has one), on the segment's own traffic
 * for `segment`; undefined otherwise.
 */
export function sprtSecondsOf(spec: ScenarioSpec): number | undefined {
  const f = spec.fault;
  if (f?.kind === 'errors')
    return sprtExpectedSecondsRamped(spec.service.p0, f.p1, spec.service.rps, f.rampSeconds);
  if (f?.kind === 'segment') {
    const seg = spec.segments?.find((s) => s.name === f.segment);
    if (!seg) return undefined;
    return sprtExpectedSeconds(seg.p0, f.p1, spec.service.rps * seg.share);
  }
  return undefined;
}

/**
 * Generates one scenario from its spec. Per step: requests ~ Poisson(rps·5 s·traffic shape),
 * split among segments binomially; errors ~ Binomial(requests, p(t)); one log-normal latency
 * sample per request, binned into the Prometheus default buckets (`le` inclusive), with the p99
 * taken from the samples; CPU follows traffic with Gaussian noise; memory is flat with 2 MB
 * noise plus any leak (reset by an OOM kill at the limit, which restarts the pod and fails ~15%
 * of that step's requests); `ready` moves in 1/pods. The same spec and seed give the same output.
 */
export function synthesize(spec: ScenarioSpec): GeneratedScenario {
  const rng = new Prng(spec.seed);
  const svc = spec.service;
  const pre = spec.preSteps ?? DEFAULT_PRE_STEPS;
  const bake = spec.bakeSteps ?? DEFAULT_BAKE_STEPS;
  const steps = pre + bake;
  const deploy = pre;
  const fault = spec.fault;
  const start = faultStartStep(fault, deploy);
  const buckets = spec.latencyBucketsMs ?? PROMETHEUS_DEFAULT_BUCKETS_MS;

  const phase = rng.between(0, 2 * Math.PI);
  const drawnErrorPhase = rng.between(0, 2 * Math.PI);
  // A fixed phase at the deploy still draws one, so the other draws stay the same.
  const errorPhase =
    svc.errorDrift?.phaseAtDeploy === undefined
      ? drawnErrorPhase
      : svc.errorDrift.phaseAtDeploy - (2 * Math.PI * deploy * STEP_SECONDS) / svc.errorDrift.periodSeconds;
  const cpuPerTraffic = svc.cpuCores;
  const coldSteps = spec.coldStart ? Math.round(spec.coldStart.seconds / STEP_SECONDS) : 0;
  const segments = spec.segments ?? [];

  const requests: number[] = [];
  const errors: number[] = [];
  const p99: (number | null)[] = [];
  const histogram: number[][] = [];
  const cpu: number[] = [];
  const memory: number[] = [];
  const ready: number[] = [];
  const restarts: number[] = [];
  const segRequests = segments.map(() => [] as number[]);
  const segErrors = segments.map(() => [] as number[]);

  let leakSince = fault?.kind === 'leak' ? deploy + fault.at : Number.POSITIVE_INFINITY;
  // Crash loop state: the next step at which the crashing pod dies, and until when it is down.
  let crashAt = fault?.kind === 'crashloop' ? deploy + fault.at : Number.POSITIVE_INFINITY;
  let downUntil = -1;
  let backoff = BACKOFF_START_S;

  // A GC sawtooth: the heap climbs through each cycle and drops at its end.
  const gc = svc.gc;
  let gcCycleStart = gc ? -rng.uniform() * gc.periodSeconds : 0;
  let gcCycleLength = gc ? gc.periodSeconds : 0;
  const hostLoadSteps = new Set(spec.hostLoad?.steps ?? []);
  // A progressive rollout, a cache warm-up or bimodal latency: each request is drawn from the old
  // or the new version (and, in a rollout, from one of the new version's stages). Without them
  // the draws below are the same as before they existed.
  const rollout = spec.rollout;
  const warm = spec.warmUp;
  const bimodal = svc.bimodal;
  const perRequest = rollout !== undefined || warm !== undefined || bimodal !== undefined;
  const stageCount = rollout ? Math.max(1, Math.round(rollout.stages)) : 1;
  const stageStarts = Array.from(
    { length: stageCount },
    (_, k) =>
      deploy +
      (stageCount === 1 ? 0 : Math.round((k * (rollout?.seconds ?? 0)) / (stageCount - 1) / STEP_SECONDS)),
  );
  const warmSteps = warm ? Math.max(1, warm.seconds / STEP_SECONDS) : 0;
  /** What is left of the warm-up `since` steps after a stage took traffic (1 at first, 0 when over). */
  const warmLeft = (since: number) => {
    if (!warm || since < 0 || since >= warmSteps) return 0;
    return warm.shape === 'exponential' ? Math.exp((-3 * since) / warmSteps) : 1 - since / warmSteps;
  };
  // Requests of the last steps, for a session store's memory.
  const held: number[] = [];
  // Memory held by a surge's load (`loadMemory`), lagging the load both ways.
  let loadHeld = 0;

  for (let t = 0; t < steps; t++) {
    const seconds = t * STEP_SECONDS;
    let traffic =
      1 + svc.drift.amplitude * Math.sin((2 * Math.PI * seconds) / svc.drift.periodSeconds + phase);
    if (svc.trafficTrend) {
      const from = svc.trafficTrendSince ?? Number.NEGATIVE_INFINITY;
      const elapsed = Math.max(seconds - deploy * STEP_SECONDS, from);
      traffic *= Math.max(0.05, 1 + (svc.trafficTrend * elapsed) / 3600);
    }
    let queueing = svc.loadLatency ? traffic ** svc.loadLatency : 1;
    let surgeErrors = 1;
    // The spikes' own multiple of the traffic (for `loadMemory`).
    let spikeTraffic = 1;
    for (const spike of spec.spikes ?? []) {
      if (t >= spike.atStep && t < spike.atStep + spike.steps) {
        const ramped = spike.rampSteps ?? 0;
        const w = Math.min(
          1,
          (t - spike.atStep + 1) / (ramped + 1),
          (spike.atStep + spike.steps - t) / (ramped + 1),
        );
        const slow = spike.latencyFactor ?? 1 + 0.1 * (spike.factor - 1);
        if (w >= 1) {
          traffic *= spike.factor;
          spikeTraffic *= spike.factor;
          queueing *= slow;
          surgeErrors = spike.errorFactor ?? 1;
        } else {
          traffic *= 1 + (spike.factor - 1) * w;
          spikeTraffic *= 1 + (spike.factor - 1) * w;
          queueing *= 1 + (slow - 1) * w;
          surgeErrors = 1 + ((spike.errorFactor ?? 1) - 1) * w;
        }
      }
    }
    let lambda = svc.rps * STEP_SECONDS * traffic;
    if (svc.trafficNoise) {
      lambda *= Math.exp(svc.trafficNoise * rng.normal() - (svc.trafficNoise * svc.trafficNoise) / 2);
    }
    const n = rng.poisson(lambda);

    // Failure probability of the ordinary (non-segment) traffic at this step.
    let p = svc.p0;
    if (svc.errorDrift) {
      p *=
        1 +
        svc.errorDrift.amplitude *
          Math.sin((2 * Math.PI * seconds) / svc.errorDrift.periodSeconds + errorPhase);
    }
    if (svc.errorNoise) p *= Math.exp(svc.errorNoise * rng.normal() - (svc.errorNoise * svc.errorNoise) / 2);
    if (svc.loadErrors) p *= Math.max(0.05, traffic) ** svc.loadErrors;
    if (surgeErrors !== 1) p *= surgeErrors;
    let latencyFactor = queueing;
    for (const bump of spec.baselineBumps ?? []) {
      if (t >= bump.start && t < bump.start + bump.steps) {
        if (bump.p1 !== undefined) p += bump.p1 - svc.p0;
        if (bump.latencyFactor !== undefined) latencyFactor *= bump.latencyFactor;
      }
    }
    let slowShare = 1;
    let tailFactor = 1;
    const inCold = t >= deploy && t < deploy + coldSteps;
    // The new version's share of the traffic, and each live stage's own warm-up and cold start.
    const activeStages = t < deploy ? 0 : stageStarts.filter((s0) => t >= s0).length;
    const newShare = activeStages / stageCount;
    const stageFactor: number[] = [];
    const stageSlowShare: number[] = [];
    if (perRequest) {
      for (let k = 0; k < activeStages; k++) {
        const since = t - (stageStarts[k] as number);
        let f = 1;
        let extraP = 0;
        if (rollout && spec.coldStart && since < coldSteps) {
          f *= spec.coldStart.latencyFactor;
          extraP += spec.coldStart.errorRate;
        }
        const left = warmLeft(since);
        if (warm && left > 0) {
          if (warm.slowShare === undefined) f *= 1 + (warm.latencyFactor - 1) * left;
          extraP += (warm.errorRate ?? 0) * left;
        }
        stageFactor.push(f);
        stageSlowShare.push(warm?.slowShare !== undefined ? warm.slowShare * left : 0);
        p += extraP / stageCount;
      }
    }
    let newFactor = 1;
    let missFactor = bimodal ? bimodal.missFactor : 1;
    if (inCold && spec.coldStart && !rollout) {
      p += spec.coldStart.errorRate;
      latencyFactor *= spec.coldStart.latencyFactor;
    }
    const recovered =
      (fault?.kind === 'preexisting' || fault?.kind === 'preexisting-latency') &&
      fault.recoverAt !== undefined &&
      t >= deploy + fault.recoverAt;
    if (fault && start !== null && t >= start && !recovered) {
      const since = t - start;
      if (fault.kind === 'errors')
        p += (fault.p1 - svc.p0) * ramp(since, fault.rampSeconds) * (rollout ? newShare : 1);
      if (fault.kind === 'miss-path') missFactor *= 1 + (fault.factor - 1) * ramp(since, fault.rampSeconds);
      if (fault.kind === 'preexisting') p += (fault.p1 - svc.p0) * ramp(since, fault.rampSeconds);
      if (fault.kind === 'latency') {
        const k = 1 + (fault.factor - 1) * ramp(since, fault.rampSeconds);
        // A slow tail (share < 1) slows only some requests, drawn per request below.
        if (fault.share !== undefined && fault.share < 1) {
          slowShare = fault.share;
          tailFactor = k;
        } else if (perRequest) {
          newFactor = k;
        } else {
          latencyFactor *= k;
        }
      }
      if (fault.kind === 'preexisting-latency')
        latencyFactor *= 1 + (fault.factor - 1) * ramp(since, fault.rampSeconds);
    }

    // Memory, restarts and readiness.
    let mem = svc.memoryBytes + (svc.memoryNoiseBytes ?? 2e6) * rng.normal();
    if (svc.sessions) {
      // Sessions of the requests of the last ttl seconds, less what the mean traffic holds.
      held.push(n);
      const keep = Math.max(1, Math.round(svc.sessions.ttlSeconds / STEP_SECONDS));
      while (held.length > keep) held.shift();
      const sum = held.reduce((a, b) => a + b, 0);
      mem += svc.sessions.bytesPerRequest * (sum - svc.rps * STEP_SECONDS * keep);
    }
    if (svc.loadMemory) {
      // First-order lag towards what the spikes' load holds: quick to fill, slow to give back.
      const target = svc.loadMemory.bytesPerLoad * Math.max(0, spikeTraffic - 1);
      const tau = target > loadHeld ? svc.loadMemory.riseSeconds : svc.loadMemory.fallSeconds;
      loadHeld += (target - loadHeld) * (1 - Math.exp(-STEP_SECONDS / Math.max(1e-9, tau)));
      mem += loadHeld;
    }
    if (spec.memoryShift && t >= deploy + spec.memoryShift.atStep) {
      mem +=
        spec.memoryShift.bytes * ramp(t - deploy - spec.memoryShift.atStep, spec.memoryShift.rampSeconds);
    }
    if (gc) {
      while (seconds >= gcCycleStart + gcCycleLength) {
        gcCycleStart += gcCycleLength;
        gcCycleLength = gc.periodSeconds * (1 + (gc.jitter ?? 0) * (2 * rng.uniform() - 1));
      }
      mem += (gc.amplitudeBytes * (seconds - gcCycleStart)) / gcCycleLength;
    }
    let restartCount = 0;
    let readyPods = svc.pods;
    let burst = 0;
    if (t >= leakSince && fault?.kind === 'leak') {
      const grown = fault.bytesPerSecond * (t - leakSince) * STEP_SECONDS;
      if (svc.memoryBytes + grown >= fault.limitBytes) {
        restartCount = 1;
        burst = OOM_ERROR_RATE;
        leakSince = t;
      } else {
        mem += grown;
      }
    }
    if (fault?.kind === 'probe' && t >= deploy + fault.at) readyPods = fault.readyPods;
    if (fault?.kind === 'crashloop') {
      if (t >= crashAt) {
        restartCount = 1;
        burst = fault.crashErrorRate;
        downUntil = t + Math.max(1, Math.round(backoff / STEP_SECONDS));
        crashAt = downUntil + Math.max(1, Math.round(fault.upSeconds / STEP_SECONDS));
        backoff = Math.min(BACKOFF_CAP_S, backoff * 2);
      }
      if (t < downUntil) readyPods = svc.pods - 1;
    }

    // Requests per segment, then the rest.
    let rest = n;
    let remainingShare = 1;
    let stepErrors = 0;
    const segCounts: number[] = [];
    segments.forEach((seg, i) => {
      const k = rest > 0 ? rng.binomial(rest, Math.min(1, seg.share / remainingShare)) : 0;
      remainingShare -= seg.share;
      rest -= k;
      segCounts.push(k);
      let ps = seg.p0;
      if (fault?.kind === 'segment' && fault.segment === seg.name && start !== null && t >= start)
        ps = fault.p1;
      if (inCold && spec.coldStart) ps += spec.coldStart.errorRate;
      const e = rng.binomial(k, Math.min(1, ps + burst));
      stepErrors += e;
      (segRequests[i] as number[]).push(k);
      (segErrors[i] as number[]).push(e);
    });
    stepErrors += rng.binomial(rest, Math.min(1, Math.max(0, p) + burst));
    if (spec.hostLoad?.failedRequests && hostLoadSteps.has(t)) {
      stepErrors = Math.min(n, stepErrors + spec.hostLoad.failedRequests);
    }

    // One latency sample per request.
    const samples = new Array<number>(n);
    const mu = Math.log(svc.medianMs * latencyFactor);
    for (let i = 0; i < n; i++) {
      let x = Math.exp(mu + svc.sigma * rng.normal());
      if (perRequest) {
        const u = rng.uniform();
        if (u < newShare) {
          // The new version; in a rollout, the stage whose pods served it.
          const k = Math.min(activeStages - 1, Math.floor(u * stageCount));
          x *= newFactor * (stageFactor[k] as number);
          if (tailFactor !== 1 && rng.uniform() < slowShare) x *= tailFactor;
          if ((stageSlowShare[k] as number) > 0 && rng.uniform() < (stageSlowShare[k] as number))
            x *= warm?.latencyFactor ?? 1;
          if (bimodal && rng.uniform() < (bimodal.missShareAfter ?? bimodal.missShare)) x *= missFactor;
        } else if (bimodal && rng.uniform() < bimodal.missShare) {
          x *= bimodal.missFactor;
        }
      } else if (tailFactor !== 1 && rng.uniform() < slowShare) x *= tailFactor;
      samples[i] = x;
    }
    if (spec.hostLoad && hostLoadSteps.has(t)) {
      for (let i = 0; i < Math.min(n, spec.hostLoad.slowRequests); i++) {
        samples[i] = (samples[i] as number) * spec.hostLoad.factor;
      }
    }
    samples.sort((a, b) => a - b);
    const row = new Array<number>(buckets.length + 1).fill(0);
    let b = 0;
    for (const x of samples) {
      while (b < buckets.length && x > (buckets[b] as number)) b++;
      row[b] = (row[b] as number) + 1;
    }

    const cpuNow = Math.max(0.01, cpuPerTraffic * traffic * (inCold ? 1.3 : 1) + 0.03 * rng.normal());

    requests.push(n);
    errors.push(stepErrors);
    p99.push(n === 0 ? null : round(sortedQuantile(samples, 0.99), 2));
    histogram.push(row);
    cpu.push(round(cpuNow, 4));
    memory.push(Math.round(Math.max(0, mem)));
    ready.push(round(readyPods / svc.pods, 4));
    restarts.push(restartCount);
  }

  const signal = truthSignal(fault);
  const verdict =
    fault === null
      ? 'keep'
      : fault.kind === 'preexisting' || fault.kind === 'preexisting-latency'
        ? 'incident'
        : 'rollback';
  const scenario: Scenario = {
    schema: 'rollgate.scenario/v1',
    name: spec.name,
    description: spec.description,
    stepSeconds: STEP_SECONDS,
    deployAtStep: deploy,
    truth: {
      verdict,
      faultStartStep: start,
      ...(signal ? { signal } : {}),
      ...(spec.note ? { note: spec.note } : {}),
    },
    latencyBucketsMs: [...buckets],
    series: {
      requests,
      errors,
      latencyP99Ms: p99,
      latencyHistogram: histogram,
      cpuCores: cpu,
      memoryBytes: memory,
      ready,
      restarts,
    },
    ...(segments.length > 0
      ? {
          segments: Object.fromEntries(
            segments.map((seg, i) => [
              seg.name,
              { requests: segRequests[i] ?? [], errors: segErrors[i] ?? [] },
            ]),
          ),
        }
      : {}),
  };

  const sprt = verdict === 'rollback' ? sprtSecondsOf(spec) : undefined;
  const meta: GeneratedMeta = {
    rps: svc.rps,
    p0: svc.p0,
    median_ms: svc.medianMs,
    sigma: svc.sigma,
    fault: metaFault(spec),
    ...(sprt !== undefined ? { sprt_seconds: sprt } : {}),
    seed: spec.seed,
    traffic: {
      drift_amplitude: svc.drift.amplitude,
      drift_period_s: svc.drift.periodSeconds,
      ...(svc.trafficNoise ? { noise: svc.trafficNoise } : {}),
      ...(svc.trafficTrend ? { trend_per_hour: svc.trafficTrend } : {}),
      ...(svc.loadLatency ? { load_latency: svc.loadLatency } : {}),
      ...(svc.trafficTrendSince !== undefined ? { trend_since_s: svc.trafficTrendSince } : {}),
      ...(svc.loadErrors ? { load_errors: svc.loadErrors } : {}),
      ...(spec.spikes?.length ? { spikes: spec.spikes.map((s) => ({ ...s })) } : {}),
    },
    ...(svc.errorDrift
      ? { error_drift: { amplitude: svc.errorDrift.amplitude, period_s: svc.errorDrift.periodSeconds } }
      : {}),
    ...(svc.errorNoise ? { error_noise: svc.errorNoise } : {}),
    ...(spec.coldStart
      ? {
          cold_start: {
            seconds: spec.coldStart.seconds,
            latency_factor: spec.coldStart.latencyFactor,
            error_rate: spec.coldStart.errorRate,
          },
        }
      : {}),
    ...(segments.length
      ? { segments: segments.map((s) => ({ name: s.name, share: s.share, p0: s.p0 })) }
      : {}),
    pods: svc.pods,
    ...(svc.gc
      ? {
          gc: {
            period_s: svc.gc.periodSeconds,
            amplitude_bytes: svc.gc.amplitudeBytes,
            ...(svc.gc.jitter ? { jitter: svc.gc.jitter } : {}),
          },
        }
      : {}),
    ...(svc.memoryNoiseBytes !== undefined ? { memory_noise_bytes: svc.memoryNoiseBytes } : {}),
    ...(svc.sessions
      ? {
          sessions: {
            bytes_per_request: svc.sessions.bytesPerRequest,
            ttl_s: svc.sessions.ttlSeconds,
          },
        }
      : {}),
    ...(svc.loadMemory
      ? {
          load_memory: {
            bytes_per_load: svc.loadMemory.bytesPerLoad,
            rise_s: svc.loadMemory.riseSeconds,
            fall_s: svc.loadMemory.fallSeconds,
          },
        }
      : {}),
    ...(spec.memoryShift
      ? {
          memory_shift: {
            at_step: spec.memoryShift.atStep,
            bytes: spec.memoryShift.bytes,
            ramp_s: spec.memoryShift.rampSeconds,
          },
        }
      : {}),
    ...(spec.hostLoad
      ? {
          host_load: {
            steps: [...spec.hostLoad.steps],
            slow_requests: spec.hostLoad.slowRequests,
            factor: spec.hostLoad.factor,
            ...(spec.hostLoad.failedRequests ? { failed_requests: spec.hostLoad.failedRequests } : {}),
          },
        }
      : {}),
    ...(spec.warmUp
      ? {
          warm_up: {
            seconds: spec.warmUp.seconds,
            latency_factor: spec.warmUp.latencyFactor,
            ...(spec.warmUp.slowShare !== undefined ? { slow_share: spec.warmUp.slowShare } : {}),
            ...(spec.warmUp.errorRate ? { error_rate: spec.warmUp.errorRate } : {}),
            shape: spec.warmUp.shape ?? 'linear',
          },
        }
      : {}),
    ...(spec.rollout ? { rollout: { stages: spec.rollout.stages, seconds: spec.rollout.seconds } } : {}),
    ...(svc.bimodal
      ? {
          bimodal: {
            miss_share: svc.bimodal.missShare,
            miss_factor: svc.bimodal.missFactor,
            ...(svc.bimodal.missShareAfter !== undefined
              ? { miss_share_after: svc.bimodal.missShareAfter }
              : {}),
          },
        }
      : {}),
    ...(spec.baselineBumps?.length ? { baseline_bumps: spec.baselineBumps.map((b) => ({ ...b })) } : {}),
  };
  return { scenario, meta };
}
