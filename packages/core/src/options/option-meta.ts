import { z } from 'zod';

/**
 * What an option field is, beyond its type: `path` fields are file system paths, which a
 * configuration file resolves against its own directory; `secret` fields hold credentials, which
 * never appear in errors, logs, printed configurations or audit records. A mark on a list or a
 * mapping covers every text value inside it (every header value, every PEM of a list).
 */
export interface OptionMeta {
  readonly path?: true;
  readonly secret?: true;
}

/** The registry holding {@link OptionMeta} of option fields; read it with {@link markedValues}. */
export const optionMeta = z.registry<OptionMeta>();

/** Marks a field as a file system path (resolved against the configuration file's directory). */
export function pathOption<T extends z.ZodType>(schema: T): T {
  optionMeta.add(schema, { path: true });
  return schema;
}

/** Marks a field as a secret (redacted everywhere); on a list or mapping, every value in it. */
export function secretOption<T extends z.ZodType>(schema: T): T {
  optionMeta.add(schema, { secret: true });
  return schema;
}
