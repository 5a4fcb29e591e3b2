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
const positiveInt = () => num(z.number().int().positive());
const positiveMs = () => num(z.number().positive());
const stringMap = () => z.record(z.string(), z.string({ error: 'expected a string value' }));
const pem = () => z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

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
  timeoutMs: positiveMs().optional(),
  connections: positiveInt().optional(),
  maxResponseBytes: positiveInt().optional(),
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
  accountId: num(z.number().int().positive()),
  apiKey: text('a New Relic user key (NRAK-...)'),
  region: z.enum(['us', 'eu']).default('us'),
  endpoint: z.string().optional(),
  timeoutSeconds: num(z.number().min(5).max(120)).optional(),
  maxConcurrent: num(z.number().int().min(1).max(25)).optional(),
  maxResponseBytes: positiveInt().optional(),
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
  consecutive: positiveInt().optional(),
  intervalMs: positiveMs().optional(),
  timeoutMs: positiveMs().optional(),
  probeTimeoutMs: positiveMs().optional(),
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
    dep: z.union([text('the dep binary'), z.array(z.string().min(1)).min(1)]).optional(),
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
  conflictRetries: num(z.number().int().nonnegative()).optional(),
  progressDeadlineGraceMs: num(z.number().nonnegative()).optional(),
  retryDelayMs: num(z.number().nonnegative()).optional(),
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
    timeoutMs: positiveMs().optional(),
  }),
  z.strictObject({
    type: z.literal('slack'),
    url: text('the Slack incoming-webhook URL'),
    kinds: KINDS.optional(),
    timeoutMs: positiveMs().optional(),
  }),
  z.strictObject({
    type: z.literal('pagerduty'),
    routingKey: text('the PagerDuty Events v2 integration key'),
    url: z.string().optional(),
    source: z.string().optional(),
    kinds: KINDS.default(['page', 'incident']),
    timeoutMs: positiveMs().optional(),
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
      z.number().int().min(3, { error: 'keep at least 3 verified artifacts to roll back to' }),
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
  cooldownSeconds: num(z.number().nonnegative()).default(1800),
  killSwitchFile: z.string().optional(),
  settleMs: num(z.number().nonnegative()).optional(),
});

const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * The whole file. Cross-field rules here: source names, and `service` only at the top level;
 * the contract and each signal's source are checked after it (see `loadConfig`).
 */
export const RollgateConfigSchema = z
  .strictObject({
    service: text('the service name'),
    selector: stringMap().optional(),
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
        cutoverMs: positiveMs().optional(),
        gateMs: positiveMs().optional(),
        portMs: positiveMs().optional(),
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
