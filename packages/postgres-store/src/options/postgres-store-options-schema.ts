import { type OptionsOf, secretOption, textOption } from '@rollgate/core';
import { z } from 'zod';

/**
 * The options of the PostgreSQL stores, as a configuration file writes them (`state` of
 * `type: postgres`, besides the host's own `dir`, `keep`, `leaseSeconds` and `signing`): the one
 * description of each field, with its secret (the connection URL, which holds the password).
 */
export const PostgresStoreOptionsSchema = z.strictObject({
  /** `postgresql://user:password@host:5432/database`; a secret: it never appears in errors or output. */
  url: secretOption(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
    textOption('the PostgreSQL connection URL, e.g. url: ${DATABASE_URL}'),
  ),
  /** The schema holding Rollgate's tables (default `rollgate`): letters, digits and `_`. */
  schema: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, {
      error: 'a schema name is letters, digits and "_" (default rollgate)',
    })
    .optional(),
  /**
   * `apply` (default): on first use, apply the migrations this version ships. `verify`: never
   * change the schema; fail with `CONFIG_INVALID` when it is behind (users without DDL rights).
   */
  migrations: z.enum(['apply', 'verify']).optional(),
});

/** The options as written. */
export type PostgresStoreOptions = OptionsOf<typeof PostgresStoreOptionsSchema>;
/** The options after the schema. */
export type PostgresStoreOptionsParsed = z.output<typeof PostgresStoreOptionsSchema>;
