import type { z } from 'zod';

/**
 * The options type of an adapter's factory, derived from its options schema so the schema is
 * the one place each field is described: the schema's input (what a caller writes, defaults
 * still optional) with every field, list and mapping read-only. Doc comments written on the
 * schema's fields travel with the fields. Values that are not plain data (a `Uint8Array`, a
 * `RegExp`, a function) are kept as they are.
 */
export type OptionsOf<S extends z.ZodType> = ReadonlyOptions<z.input<S>>;

/** `T` with every field, list and mapping read-only, down to its leaves (see {@link OptionsOf}). */
export type ReadonlyOptions<T> = T extends ((...args: never[]) => unknown) | Uint8Array | RegExp | Date
  ? T
  : T extends readonly (infer E)[]
    ? readonly ReadonlyOptions<E>[]
    : T extends object
      ? { readonly [K in keyof T]: ReadonlyOptions<T[K]> }
      : T;
