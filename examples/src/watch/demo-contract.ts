import { type Contract, defaultContract } from '@rollgate/core';

/** The watched service, as named in audit records and verified artifacts. */
export const DEMO_SERVICE = 'shop';
/** The Prometheus `job` of the shop's metrics: the selector of the four default signals. */
export const DEMO_JOB = 'shop';

/**
 * Rollgate's default contract (error rate, p99 latency, memory trend, health) with timings cut
 * down to demo scale. Production keeps the defaults (5 s steps, a 10 minute bake, a 30 minute
 * baseline, a 2 minute verification); the rules and the statistics are the same.
 */
export const DEMO_CONTRACT = {
  /** Evaluate every second (Prometheus and the exposition source both scrape every second). */
  stepSeconds: 1,
  /**
   * Long enough to see release 2's fault (20 s after it starts serving) and confirm it, with
   * room to spare on a slow machine; a good release is promoted when it ends.
   */
  bakeSeconds: 50,
  /** Breaches in the first 5 s are held as a possible cold start (there is none here). */
  warmupSeconds: 5,
  coldStartSeconds: 5,
  /**
   * The pre-deploy window the new release is compared with. It must hold data from end to end:
   * the baseline reads counter increments over the whole window (`x - x offset 20s` at the
   * deploy time), which need a scrape from before the window starts, so the demo runs release 1
   * for this long plus a few seconds after the first scrape.
   */
  baselineSeconds: 20,
  /** After a rollback, release 1 is watched this long before recovery counts as verified. */
  verification: { windowSeconds: 20 },
  /** Without enough evidence at the end of the bake, extend by 10 s (twice), then hold. */
  promotion: { inconclusive: 'extend' as const, extendSeconds: 10, maxExtensions: 2 },
};

/** The timings a watch of the demo's shop may set: the demo's own, or a variant's (the soak's). */
export interface DemoTimings {
  readonly stepSeconds: number;
  readonly bakeSeconds: number;
  readonly warmupSeconds: number;
  readonly coldStartSeconds: number;
  readonly baselineSeconds: number;
  readonly verification: { readonly windowSeconds: number };
  readonly promotion: {
    readonly inconclusive: 'extend' | 'hold' | 'promote';
    readonly extendSeconds: number;
    readonly maxExtensions: number;
  };
}

/**
 * Another shop watched the same way: its own service name, signal selector (labels of its
 * series in a Prometheus that scrapes several shops) and timings. The default is the demo.
 */
export interface DemoVariant {
  readonly service?: string;
  readonly selector?: Readonly<Record<string, string>>;
  readonly timings?: DemoTimings;
  /**
   * `guardrails.cooldownSeconds`: no automatic rollback this long after the previous one
   * (default 1800). A soak that deploys every few minutes sets 0 to judge each deploy alone.
   */
  readonly cooldownSeconds?: number;
}

/** The effective contract, for the in-process watch (the CLI builds the same from the YAML). */
export function demoContract(variant: DemoVariant = {}): Contract {
  return defaultContract(variant.service ?? DEMO_SERVICE, {
    ...(variant.timings ?? DEMO_CONTRACT),
    selector: { ...(variant.selector ?? { job: DEMO_JOB }) },
  });
}

/** Where the demo's configuration points. */
export interface DemoConfigPaths {
  readonly prometheusUrl: string;
  readonly deployPath: string;
  readonly healthUrl: string;
  readonly stateDir: string;
}

/** The readiness gate after a cutover: the health URL must answer 2 rounds in a row. */
export const DEMO_GATE = { consecutive: 2, intervalMs: 500, expectBody: '"status":"ok"' };

/** The `rollgate.yaml` the demo hands to `rollgate watch`, written as a user would write it. */
export function demoConfigYaml(paths: DemoConfigPaths, variant: DemoVariant = {}): string {
  const c = variant.timings ?? DEMO_CONTRACT;
  const selector = Object.entries(variant.selector ?? { job: DEMO_JOB })
    .map(([label, value]) => `  ${label}: ${JSON.stringify(value)}`)
    .join('\n');
  return `# The self-healing demo's configuration (docs/config.md describes every field).
service: ${variant.service ?? DEMO_SERVICE}

# Labels of the four default signals: error rate, p99 latency, memory trend, health.
selector:
${selector}

# The default contract, with timings cut down to demo scale.
contract:
  stepSeconds: ${c.stepSeconds}
  bakeSeconds: ${c.bakeSeconds}
  warmupSeconds: ${c.warmupSeconds}
  coldStartSeconds: ${c.coldStartSeconds}
  baselineSeconds: ${c.baselineSeconds}
  verification: { windowSeconds: ${c.verification.windowSeconds} }
  promotion: { inconclusive: ${c.promotion.inconclusive}, extendSeconds: ${c.promotion.extendSeconds}, maxExtensions: ${c.promotion.maxExtensions} }

sources:
  prometheus:
    type: prometheus
    url: ${paths.prometheusUrl}
    # The shop is a plain process, not a Kubernetes pod: a restart shows as a new start time.
    metrics: { restarts: process_start_time_seconds }

executor:
  type: deployer
  mode: local
  deployPath: ${JSON.stringify(paths.deployPath)}
  user: rollgate-demo
  gate:
    urls: [${JSON.stringify(paths.healthUrl)}]
    consecutive: ${DEMO_GATE.consecutive}
    intervalMs: ${DEMO_GATE.intervalMs}
    expectBody: '${DEMO_GATE.expectBody}'

state:
  dir: ${JSON.stringify(paths.stateDir)}
${variant.cooldownSeconds === undefined ? '' : `\nguardrails:\n  cooldownSeconds: ${variant.cooldownSeconds}\n`}`;
}
