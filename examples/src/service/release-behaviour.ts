/**
 * How a release of the demo's shop service behaves, read from `releases/<N>/release.json`. A
 * real service would just be its code; the demo describes the code's behaviour as data so the
 * same service binary can serve a good and a bad release.
 */
export interface ReleaseBehaviour {
  /** Shown in `/healthz` and the demo's output, e.g. `v1.4.2`. */
  readonly version: string;
  /** Share of requests answered 500 in normal operation (a healthy service is not at 0). */
  readonly errorRate: number;
  /** Request latency: log-normal with this median (ms) and sigma (of the log). */
  readonly latency: { readonly medianMs: number; readonly sigma: number };
  /** A fault that starts this long after the release started serving. */
  readonly fault?: ReleaseFault;
}

/**
 * What goes wrong once a release's fault is active. Every effect but `afterSeconds` is optional,
 * so one release can fail in one way (the soak's fault kinds) or several (the demo's bad release).
 */
export interface ReleaseFault {
  readonly afterSeconds: number;
  /** Share of requests answered 500 once active (default: the release's own `errorRate`). */
  readonly errorRate?: number;
  /** Latency multiplier of every request once active (2 doubles p99; default 1). */
  readonly latencyFactor?: number;
  /** A slow tail only: this share of requests is `tail.factor` times slower, the median unchanged. */
  readonly tail?: { readonly share: number; readonly factor: number };
  /**
   * A memory leak: the service keeps this many bytes a second, resident, while the fault is
   * active and the release serves (released when traffic leaves the release, as a restart would).
   */
  readonly leakBytesPerSecond?: number;
}

/** Release 1 and a good release 2: about 0.5% errors, p99 near 40 ms. */
export const GOOD_RELEASE: Omit<ReleaseBehaviour, 'version'> = {
  errorRate: 0.005,
  latency: { medianMs: 12, sigma: 0.5 },
};

/** The bad release 2: fine at first, then 20% errors and twice the latency after 20 s. */
export const BAD_RELEASE: Omit<ReleaseBehaviour, 'version'> = {
  ...GOOD_RELEASE,
  fault: { afterSeconds: 20, errorRate: 0.2, latencyFactor: 2 },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function share(value: unknown, field: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    throw new Error(`${field} must be within 0..1`);
  return value;
}

function optional<T>(value: unknown, parse: (v: unknown) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}

function positive(value: unknown, field: string): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value))
    throw new Error(`${field} must be > 0`);
  return value;
}

/** Parses a `release.json`; throws with the field at fault. */
export function parseReleaseBehaviour(text: string): ReleaseBehaviour {
  const json: unknown = JSON.parse(text);
  if (!isRecord(json)) throw new Error('release.json must hold an object');
  const latency = json.latency;
  if (!isRecord(latency)) throw new Error('latency must be { medianMs, sigma }');
  if (typeof json.version !== 'string') throw new Error('version must be a string');
  const behaviour: ReleaseBehaviour = {
    version: json.version,
    errorRate: share(json.errorRate, 'errorRate'),
    latency: {
      medianMs: positive(latency.medianMs, 'latency.medianMs'),
      sigma: positive(latency.sigma, 'latency.sigma'),
    },
  };
  if (json.fault === undefined) return behaviour;
  const fault = json.fault;
  if (!isRecord(fault))
    throw new Error('fault must be { afterSeconds, errorRate?, latencyFactor?, tail?, leakBytesPerSecond? }');
  const tail = fault.tail;
  if (tail !== undefined && !isRecord(tail)) throw new Error('fault.tail must be { share, factor }');
  const errorRate = optional(fault.errorRate, (v) => share(v, 'fault.errorRate'));
  const latencyFactor = optional(fault.latencyFactor, (v) => positive(v, 'fault.latencyFactor'));
  const leak = optional(fault.leakBytesPerSecond, (v) => positive(v, 'fault.leakBytesPerSecond'));
  return {
    ...behaviour,
    fault: {
      afterSeconds: positive(fault.afterSeconds, 'fault.afterSeconds'),
      ...(errorRate === undefined ? {} : { errorRate }),
      ...(latencyFactor === undefined ? {} : { latencyFactor }),
      ...(tail === undefined
        ? {}
        : {
            tail: {
              share: share(tail.share, 'fault.tail.share'),
              factor: positive(tail.factor, 'fault.tail.factor'),
            },
          }),
      ...(leak === undefined ? {} : { leakBytesPerSecond: leak }),
    },
  };
}

/** True once `behaviour`'s fault is active, `servingForMs` after the release started serving. */
export function faultActive(behaviour: ReleaseBehaviour, servingForMs: number): boolean {
  return behaviour.fault !== undefined && servingForMs >= behaviour.fault.afterSeconds * 1000;
}

/** What one request does: how long it takes and whether it fails. */
export interface RequestPlan {
  readonly delayMs: number;
  readonly fail: boolean;
}

/**
 * Plans one request of `behaviour`, `servingForMs` after the release started serving.
 * `random` is injectable so the model can be tested; the service uses `Math.random`.
 */
export function planRequest(
  behaviour: ReleaseBehaviour,
  servingForMs: number,
  random: () => number = Math.random,
): RequestPlan & { readonly faulty: boolean } {
  const fault = faultActive(behaviour, servingForMs) ? behaviour.fault : undefined;
  const errorRate = fault?.errorRate ?? behaviour.errorRate;
  let factor = fault?.latencyFactor ?? 1;
  // Box-Muller: a standard normal from two uniforms (1 - u keeps the log finite).
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const fail = random() < errorRate;
  // The tail draw comes last so a release without one sees the same random sequence as before.
  if (fault?.tail !== undefined && random() < fault.tail.share) factor *= fault.tail.factor;
  const delayMs = behaviour.latency.medianMs * Math.exp(behaviour.latency.sigma * z) * factor;
  return { delayMs, fail, faulty: fault !== undefined };
}
