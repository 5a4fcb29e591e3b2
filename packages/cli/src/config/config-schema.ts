import { z } from 'zod';

/**
 * The `rollgate.yaml` (or `.json`) file, validated once at the edge. Field by field reference:
 * docs/config.md. Values may come from the environment (`${NAME}`, `${NAME:-default}`), so
 * number and boolean fields also accept their text form ("30", "true").
 */

const NUMERIC_TEXT = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** A number, or its text form as `${ENV}` substitution produces it. */
const num = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (value) => (typeof value === 'string' && NUMERIC_TEXT.test(value.trim()) ? Number(value) : value),
    schema,
  );

/** A boolean, or "true"/"false" as `${ENV}` substitution produces it. */
const bool = () =>
  z.preprocess(
    (value) => (value === 'true' ? true : value === 'false' ? false : value),
    z.boolean({ error: 'expected true or false' }),
  );

const text = (what: string) =>
  z.string({ error: `expected ${what}` }).min(1, { error: `${what} must not be empty` });
/** A whole number from `min` to `max`. */
const intIn = (min: number, max: number, unit = '') =>
  num(
    z
      .number({ error: `expected a whole number${unit} from ${min} to ${max}` })
      .int({ error: `must be a whole number${unit} from ${min} to ${max}` })
      .min(min, { error: `must be a whole number${unit} from ${min} to ${max}` })
      .max(max, { error: `must be a whole number${unit} from ${min} to ${max}` }),
  );
/** Milliseconds above 0 (or from 0 with `zero`), at most `max`: every one fits a Node timer. */
const msUpTo = (max: number, zero = false) =>
  num(
    zero
      ? z
          .number({ error: `expected a number of milliseconds from 0 to ${max}` })
          .min(0, { error: `must be from 0 to ${max} ms` })
          .max(max, { error: `must be from 0 to ${max} ms` })
      : z
          .number({ error: `expected a number of milliseconds, more than 0 and at most ${max}` })
          .positive({ error: `must be more than 0 ms (at most ${max})` })
          .max(max, { error: `must be at most ${max} ms` }),
  );
const stringMap = (what = 'a mapping of names to text values, e.g. { X-Scope-OrgID: team-a }') =>
  z.record(z.string(), z.string({ error: 'expected a text value (quote numbers: "1")' }), {
    error: `expected ${what}`,
  });
const pem = () =>
  z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
    error: 'expected PEM text, or a list of PEM texts',
  });

/** A mapping of label names to values (`selector`). */
export const StringMapSchema = stringMap('a mapping of label names to values, e.g. { app: checkout }');

/**
 * The bounds of the numbers the CLI itself uses (contract bounds: `CONTRACT_LIMITS` in
 * `@rollgate/core`). Adapter options repeat their adapter's own bounds, so a value is refused
 * here, with its line, rather than when the adapter is built. docs/config.md lists them.
 */
export const CONFIG_LIMITS = {
  /** 10 min: a port call or a single read that takes longer is a failure, not a slow answer. */
  portMs: 600_000,
  /** 6 h: a cutover or readiness gate this long needs a human anyway. */
  cutoverMs: 21_600_000,
  gateMs: 21_600_000,
  /** 5 min: the backend's ingestion delay, waited at every step. */
  settleMs: 300_000,
  /** 30 days. */
  cooldownSeconds: 2_592_000,
  keep: 1_000,
  notifyTimeoutMs: 120_000,
} as const;

/** Prometheus HTTP API (`@rollgate/prometheus-source`). */
export const PrometheusSourceConfigSchema = z.strictObject({
  type: z.literal('prometheus'),
  url: text('the Prometheus base URL, e.g. http://prometheus:9090'),
  auth: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('bearer'), token: text('a bearer token') }),
      z.strictObject({
        type: z.literal('basic'),
        username: text('a user name'),
        password: text('a password'),
      }),
    ])
    .optional(),
  headers: stringMap().optional(),
  tls: z
    .strictObject({
      ca: pem().optional(),
      caFile: text('a file path').optional(),
      cert: pem().optional(),
      certFile: text('a file path').optional(),
      key: pem().optional(),
      keyFile: text('a file path').optional(),
      passphrase: z.string().optional(),
      rejectUnauthorized: bool().optional(),
      servername: z.string().optional(),
    })
    .optional(),
  timeoutMs: intIn(1, CONFIG_LIMITS.portMs, ' of milliseconds').optional(),
  connections: intIn(1, 1024).optional(),
  maxResponseBytes: intIn(1024, 2 ** 31, ' of bytes').optional(),
  metrics: z
    .strictObject({
      requests: z.string().optional(),
      statusLabel: z.string().optional(),
      errorStatusPattern: z.string().optional(),
      latencyHistogram: z.string().optional(),
      latencyUnit: z.enum(['seconds', 'milliseconds']).optional(),
      memory: z.string().optional(),
      cpu: z.string().optional(),
      ready: z.string().optional(),
      restarts: z.string().optional(),
    })
    .optional(),
});

/** New Relic NRQL over NerdGraph (`@rollgate/newrelic-source`). */
export const NewRelicSourceConfigSchema = z.strictObject({
  type: z.literal('newrelic'),
  accountId: intIn(1, Number.MAX_SAFE_INTEGER),
  apiKey: text('a New Relic user key (NRAK-...)'),
  region: z.enum(['us', 'eu']).default('us'),
  endpoint: z.string().optional(),
  timeoutSeconds: intIn(5, 120, ' of seconds').optional(),
  maxConcurrent: intIn(1, 25).optional(),
  maxResponseBytes: intIn(1024, 2 ** 31, ' of bytes').optional(),
  transactions: z
    .strictObject({ eventType: z.string().optional(), errorWhere: z.string().optional() })
    .optional(),
  resources: z
    .strictObject({
      eventType: z.enum(['SystemSample', 'ProcessSample']).optional(),
      aggregation: z.enum(['average', 'max', 'latest']).optional(),
      memoryExpression: z.string().optional(),
      cpuExpression: z.string().optional(),
    })
    .optional(),
  health: z
    .discriminatedUnion('source', [
      z.strictObject({
        source: z.literal('event'),
        eventType: text('an event type'),
        readyWhere: text('an NRQL condition'),
      }),
      z.strictObject({ source: z.literal('metric'), metricName: text('a metric name') }),
    ])
    .optional(),
});

/** One entry of `sources`, by `type`. */
export const SourceConfigSchema = z.discriminatedUnion('type', [
  PrometheusSourceConfigSchema,
  NewRelicSourceConfigSchema,
]);

const GateConfigSchema = z.strictObject({
  urls: z.array(text('a health URL')).optional(),
  consecutive: intIn(1, 1000).optional(),
  intervalMs: intIn(0, 3_600_000, ' of milliseconds').optional(),
  timeoutMs: intIn(1, 86_400_000, ' of milliseconds').optional(),
  probeTimeoutMs: intIn(1, 3_600_000, ' of milliseconds').optional(),
  expectBody: z.string().optional(),
  headers: stringMap().optional(),
});

/** Deployer PHP releases (`@rollgate/deployer-executor`), local or command mode. */
export const DeployerExecutorConfigSchema = z
  .strictObject({
    type: z.literal('deployer'),
    mode: z.enum(['local', 'command']).default('local'),
    deployPath: text('the deploy_path directory').optional(),
    user: z.string().optional(),
    dep: z
      .union([text('the dep binary'), z.array(z.string().min(1)).min(1)], {
        error: 'expected the dep binary, or its command as a list such as [php, vendor/bin/dep]',
      })
      .optional(),
    selector: text('a host alias or labels').optional(),
    deployFile: z.string().optional(),
    cwd: z.string().optional(),
    env: stringMap().optional(),
    checkCommand: z.string().optional(),
    gate: GateConfigSchema.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.mode === 'local' && value.deployPath === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['deployPath'],
        message: 'local mode needs deployPath: the Deployer deploy_path on this machine',
      });
    }
    if (value.mode === 'command' && value.selector === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['selector'],
        message: 'command mode needs selector: a host alias or labels such as stage=prod',
      });
    }
    const other =
      value.mode === 'local'
        ? (['dep', 'selector', 'deployFile', 'cwd', 'env', 'checkCommand'] as const)
        : (['deployPath', 'user'] as const);
    for (const key of other) {
      if (value[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} does not apply in ${value.mode} mode: remove it or set mode`,
        });
      }
    }
  });

/** A Kubernetes Deployment (`@rollgate/k8s-executor`). */
export const KubernetesExecutorConfigSchema = z.strictObject({
  type: z.literal('kubernetes'),
  namespace: text('a namespace'),
  deployment: text('a Deployment name'),
  kubeconfig: z.string().optional(),
  context: z.string().optional(),
  inCluster: bool().optional(),
  server: z.string().optional(),
  token: z.string().optional(),
  certificateAuthority: z.string().optional(),
  insecureSkipTlsVerify: bool().optional(),
  conflictRetries: intIn(0, 100).optional(),
  progressDeadlineGraceMs: msUpTo(3_600_000, true).optional(),
  retryDelayMs: msUpTo(600_000, true).optional(),
  resolveImageDigests: bool().optional(),
});

/** `executor`, by `type`. */
export const ExecutorConfigSchema = z.discriminatedUnion('type', [
  DeployerExecutorConfigSchema,
  KubernetesExecutorConfigSchema,
]);

const KINDS = z.array(z.enum(['page', 'incident', 'alert', 'info'])).min(1);

/** Where outcomes are sent: a generic JSON webhook, Slack, or PagerDuty Events v2. */
export const NotifyConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('json'),
    url: text('the webhook URL'),
    headers: stringMap().optional(),
    kinds: KINDS.optional(),
    timeoutMs: msUpTo(CONFIG_LIMITS.notifyTimeoutMs).optional(),
  }),
  z.strictObject({
    type: z.literal('slack'),
    url: text('the Slack incoming-webhook URL'),
    kinds: KINDS.optional(),
    timeoutMs: msUpTo(CONFIG_LIMITS.notifyTimeoutMs).optional(),
  }),
  z.strictObject({
    type: z.literal('pagerduty'),
    routingKey: text('the PagerDuty Events v2 integration key'),
    url: z.string().optional(),
    source: z.string().optional(),
    kinds: KINDS.default(['page', 'incident']),
    timeoutMs: msUpTo(CONFIG_LIMITS.notifyTimeoutMs).optional(),
  }),
]);

/**
 * Where state lives and how verifications are signed: file stores in `dir` (the default), or
 * PostgreSQL (`type: postgres`, `url`), which CI runners and several controllers share.
 */
export const StateConfigSchema = z
  .strictObject({
    type: z.enum(['files', 'postgres']).default('files'),
    dir: text('a directory').default('.rollgate'),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
    url: text('the PostgreSQL connection URL, e.g. url: ${DATABASE_URL}').optional(),
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, {
        error: 'a schema name is letters, digits and "_" (default rollgate)',
      })
      .optional(),
    migrations: z.enum(['apply', 'verify']).optional(),
    leaseSeconds: num(
      z
        .number()
        .min(1, { error: 'a lease shorter than 1 s would expire between renewals' })
        .max(3600, { error: 'a lease longer than an hour keeps a crashed watch waiting that long' }),
    ).optional(),
    keep: num(
      z
        .number({ error: 'expected a whole number of verified artifacts to keep' })
        .int({ error: 'keep is a whole number of verified artifacts' })
        .min(3, { error: 'keep at least 3 verified artifacts to roll back to' })
        .max(CONFIG_LIMITS.keep, { error: `keep at most ${CONFIG_LIMITS.keep} verified artifacts` }),
    ).default(5),
    signing: z
      .discriminatedUnion('type', [
        z.strictObject({
          type: z.literal('ed25519'),
          keyDir: z.string().optional(),
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
          privateKey: text('the PEM private key, e.g. privateKey: ${ROLLGATE_ED25519_KEY}').optional(),
          trustedPublicKeys: z.array(z.string().min(1)).optional(),
        }),
        z.strictObject({
          type: z.literal('hmac'),
          secret: text('a shared secret of at least 32 bytes'),
          keyId: z.string().optional(),
        }),
      ])
      .default({ type: 'ed25519' }),
  })
  .superRefine((state, ctx) => {
    if (state.type === 'postgres' && state.url === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
        message: 'type: postgres needs the connection URL, e.g. url: ${DATABASE_URL}',
      });
    }
    if (state.type === 'files') {
      for (const field of ['url', 'schema', 'migrations'] as const) {
        if (state[field] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: `${field} is only for type: postgres; add type: postgres or remove ${field}`,
          });
        }
      }
    }
    if (
      state.signing.type === 'ed25519' &&
      state.signing.privateKey !== undefined &&
      state.signing.keyDir !== undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['signing', 'privateKey'],
        message: 'give the key either as privateKey or in keyDir, not both',
      });
    }
  });

/** Safety limits on acting. */
export const GuardrailsConfigSchema = z.strictObject({
  dryRun: bool().default(false),
  cooldownSeconds: num(
    z
      .number({ error: 'expected a number of seconds' })
      .min(0, { error: `must be from 0 to ${CONFIG_LIMITS.cooldownSeconds} seconds` })
      .max(CONFIG_LIMITS.cooldownSeconds, {
        error: `must be from 0 to ${CONFIG_LIMITS.cooldownSeconds} seconds (30 days)`,
      }),
  ).default(1800),
  killSwitchFile: z.string().optional(),
  settleMs: msUpTo(CONFIG_LIMITS.settleMs, true).optional(),
});

/** A source's name in `sources`. */
export const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * The whole file. Cross-field rules here: source names, and `service` only at the top level;
 * the contract and each signal's source are checked after it (see `loadConfig`).
 */
export const RollgateConfigSchema = z
  .strictObject({
    service: text('the service name'),
    selector: StringMapSchema.optional(),
    contract: z.record(z.string(), z.unknown()).optional(),
    sources: z.record(z.string(), SourceConfigSchema).refine((sources) => Object.keys(sources).length > 0, {
      error: 'configure at least one metric source',
    }),
    executor: ExecutorConfigSchema,
    state: StateConfigSchema.default({
      type: 'files',
      dir: '.rollgate',
      keep: 5,
      signing: { type: 'ed25519' },
    }),
    notify: z.array(NotifyConfigSchema).default([]),
    guardrails: GuardrailsConfigSchema.default({ dryRun: false, cooldownSeconds: 1800 }),
    timeouts: z
      .strictObject({
        cutoverMs: msUpTo(CONFIG_LIMITS.cutoverMs).optional(),
        gateMs: msUpTo(CONFIG_LIMITS.gateMs).optional(),
        portMs: msUpTo(CONFIG_LIMITS.portMs).optional(),
      })
      .optional(),
  })
  .superRefine((config, ctx) => {
    for (const name of Object.keys(config.sources)) {
      if (!SOURCE_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['sources', name],
          message: 'a source name is 1-63 letters, digits, ".", "_" or "-"',
        });
      }
    }
    if (config.contract && 'service' in config.contract) {
      ctx.addIssue({
        code: 'custom',
        path: ['contract', 'service'],
        message: 'set the service once, at the top level (service: ...), not inside contract',
      });
    }
  });

/** A validated configuration file, defaults filled in. */
export type RollgateConfig = z.output<typeof RollgateConfigSchema>;
/** A validated source entry. */
export type SourceConfig = z.output<typeof SourceConfigSchema>;
/** A validated `type: prometheus` source. */
export type PrometheusSourceConfig = z.output<typeof PrometheusSourceConfigSchema>;
/** A validated `type: newrelic` source. */
export type NewRelicSourceConfig = z.output<typeof NewRelicSourceConfigSchema>;
/** A validated executor. */
export type ExecutorConfig = z.output<typeof ExecutorConfigSchema>;
/** A validated `type: deployer` executor. */
export type DeployerExecutorConfig = z.output<typeof DeployerExecutorConfigSchema>;
/** A validated `type: kubernetes` executor. */
export type KubernetesExecutorConfig = z.output<typeof KubernetesExecutorConfigSchema>;
/** A validated `notify` entry. */
export type NotifyConfig = z.output<typeof NotifyConfigSchema>;
/** Validated `state`, defaults filled in. */
export type StateConfig = z.output<typeof StateConfigSchema>;
/** Validated `guardrails`, defaults filled in. */
export type GuardrailsConfig = z.output<typeof GuardrailsConfigSchema>;
