import {
  booleanOption as bool,
  millisecondsOption as msUpTo,
  pathOption,
  secretOption,
  textMapOption as stringMap,
  textOption as text,
} from '@rollgate/core';
import { z } from 'zod';
import {
  type AdapterSchemas,
  EXECUTOR_ADAPTERS,
  type ExecutorConfig,
  SOURCE_ADAPTERS,
  type SourceConfig,
  STATE_STORES,
  type StateStoreOptions,
  type StateType,
} from './adapter-registry';

/**
 * The `rollgate.yaml` (or `.json`) file, validated once at the edge. Field by field reference:
 * docs/config.md. The CLI's own parts are here; each adapter's options are its own schema
 * (adapter-registry.ts), joined in by `type`. Values may come from the environment (`${NAME}`),
 * so number and boolean fields also take their text form ("30", "true"): `coerceText` turns it
 * into the type the schema expects before parsing.
 */

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

const KINDS = z.array(z.enum(['page', 'incident', 'alert', 'info'])).min(1);

/** Where outcomes are sent: a generic JSON webhook, Slack, or PagerDuty Events v2. */
export const NotifyConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('json'),
    url: secretOption(text('the webhook URL')),
    headers: secretOption(stringMap()).optional(),
    kinds: KINDS.optional(),
    timeoutMs: msUpTo(CONFIG_LIMITS.notifyTimeoutMs).optional(),
  }),
  z.strictObject({
    type: z.literal('slack'),
    url: secretOption(text('the Slack incoming-webhook URL')),
    kinds: KINDS.optional(),
    timeoutMs: msUpTo(CONFIG_LIMITS.notifyTimeoutMs).optional(),
  }),
  z.strictObject({
    type: z.literal('pagerduty'),
    routingKey: secretOption(text('the PagerDuty Events v2 integration key')),
    url: secretOption(z.string()).optional(),
    source: z.string().optional(),
    kinds: KINDS.default(['page', 'incident']),
    timeoutMs: msUpTo(CONFIG_LIMITS.notifyTimeoutMs).optional(),
  }),
]);

/** The `state` fields every store type shares; each type's own come from its schema (STATE_STORES). */
export const STATE_FIELDS = ['type', 'dir', 'leaseSeconds', 'keep', 'signing'] as const;

/**
 * Where state lives and how verifications are signed: file stores in `dir` (the default), or
 * PostgreSQL (`type: postgres`, `url`), which CI runners and several controllers share. The
 * shared fields are here; a store type's own (`url`, `schema`, `migrations`) are its package's
 * options schema from `states`, optional here and required by the type that owns them.
 */
export function stateConfigSchema(states: NonNullable<AdapterSchemas['states']> = {}) {
  const own = Object.entries(states).map(([type, schema]) => ({ type, fields: schema?.shape ?? {} }));
  const optional = Object.fromEntries(
    own.flatMap(({ fields }) => Object.entries(fields).map(([key, field]) => [key, field.optional()])),
  );
  return z
    .strictObject({
      type: z.enum(Object.keys(STATE_STORES) as [StateType, ...StateType[]]).default('files'),
      dir: pathOption(text('a directory')).default('.rollgate'),
      ...optional,
      leaseSeconds: z
        .number()
        .min(1, { error: 'a lease shorter than 1 s would expire between renewals' })
        .max(3600, { error: 'a lease longer than an hour keeps a crashed watch waiting that long' })
        .optional(),
      keep: z
        .number({ error: 'expected a whole number of verified artifacts to keep' })
        .int({ error: 'keep is a whole number of verified artifacts' })
        .min(3, { error: 'keep at least 3 verified artifacts to roll back to' })
        .max(CONFIG_LIMITS.keep, { error: `keep at most ${CONFIG_LIMITS.keep} verified artifacts` })
        .default(5),
      signing: z
        .discriminatedUnion('type', [
          z.strictObject({
            type: z.literal('ed25519'),
            keyDir: pathOption(z.string()).optional(),
            privateKey: secretOption(
              // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
              text('the PEM private key, e.g. privateKey: ${ROLLGATE_ED25519_KEY}'),
            ).optional(),
            trustedPublicKeys: z.array(z.string().min(1)).optional(),
          }),
          z.strictObject({
            type: z.literal('hmac'),
            secret: secretOption(text('a shared secret of at least 32 bytes')),
            keyId: z.string().optional(),
          }),
        ])
        .default({ type: 'ed25519' }),
    })
    .superRefine((state, ctx) => {
      const given = state as Record<string, unknown>;
      if (state.type === 'postgres' && given.url === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['url'],
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
          message: 'type: postgres needs the connection URL, e.g. url: ${DATABASE_URL}',
        });
      }
      for (const { type, fields } of own) {
        if (type === state.type) continue;
        for (const field of Object.keys(fields)) {
          if (given[field] !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [field],
              message: `${field} is only for type: ${type}; add type: ${type} or remove ${field}`,
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
}

/** Safety limits on acting. */
export const GuardrailsConfigSchema = z.strictObject({
  dryRun: bool().default(false),
  cooldownSeconds: z
    .number({ error: 'expected a number of seconds' })
    .min(0, { error: `must be from 0 to ${CONFIG_LIMITS.cooldownSeconds} seconds` })
    .max(CONFIG_LIMITS.cooldownSeconds, {
      error: `must be from 0 to ${CONFIG_LIMITS.cooldownSeconds} seconds (30 days)`,
    })
    .default(1800),
  killSwitchFile: pathOption(z.string()).optional(),
  settleMs: msUpTo(CONFIG_LIMITS.settleMs, true).optional(),
});

/** A source's name in `sources`. */
export const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Options of an adapter that is not loaded: only `type`, so the rest of the file is still checked. */
const unloaded = (type: string) => z.looseObject({ type: z.literal(type) });

/** `schema` with its adapter's `type` (a strict object keeps its own cross-field rules). */
const typed = (type: string, schema: z.ZodObject | undefined) =>
  schema === undefined ? unloaded(type) : schema.safeExtend({ type: z.literal(type) });

/** One entry of `sources`, by `type`, from the adapters' schemas that are loaded. */
export function sourceConfigSchema(schemas: AdapterSchemas['sources']) {
  const [first, ...rest] = Object.keys(SOURCE_ADAPTERS).map((type) =>
    typed(type, schemas[type as keyof typeof schemas]),
  );
  return z.discriminatedUnion('type', [first as z.ZodObject, ...rest]);
}

/** `executor`, by `type`, from the adapters' schemas that are loaded. */
export function executorConfigSchema(schemas: AdapterSchemas['executors']) {
  const [first, ...rest] = Object.keys(EXECUTOR_ADAPTERS).map((type) =>
    typed(type, schemas[type as keyof typeof schemas]),
  );
  return z.discriminatedUnion('type', [first as z.ZodObject, ...rest]);
}

/**
 * The whole file, with the options of the adapters in `schemas` (see adapter-registry.ts).
 * Cross-field rules here: source names, and `service` only at the top level; the contract and
 * each signal's source are checked after it (see `loadConfig`).
 */
export function rollgateConfigSchema(schemas: AdapterSchemas) {
  return z
    .strictObject({
      service: text('the service name'),
      selector: StringMapSchema.optional(),
      contract: z.record(z.string(), z.unknown()).optional(),
      sources: z
        .record(z.string(), sourceConfigSchema(schemas.sources))
        .refine((sources) => Object.keys(sources).length > 0, {
          error: 'configure at least one metric source',
        }),
      executor: executorConfigSchema(schemas.executors),
      state: stateConfigSchema(schemas.states).default({
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
}

type ParsedFile = z.output<ReturnType<typeof rollgateConfigSchema>>;

/** A validated configuration file, defaults filled in, each adapter's options typed by its schema. */
export type RollgateConfig = Omit<ParsedFile, 'sources' | 'executor' | 'state'> & {
  readonly sources: Record<string, SourceConfig>;
  readonly executor: ExecutorConfig;
  readonly state: StateConfig;
};
export type { ExecutorConfig, SourceConfig };
/** A validated `notify` entry. */
export type NotifyConfig = z.output<typeof NotifyConfigSchema>;
/** Validated `state`, defaults filled in, with the store types' own options (present for their type). */
export type StateConfig = z.output<ReturnType<typeof stateConfigSchema>> & Partial<StateStoreOptions>;
/** Validated `guardrails`, defaults filled in. */
export type GuardrailsConfig = z.output<typeof GuardrailsConfigSchema>;
