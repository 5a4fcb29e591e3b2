/**
 * `T` without `undefined` in any property: what zod's `key?: T | undefined` outputs become when
 * handed to options types written for `exactOptionalPropertyTypes` (`key?: T`).
 */
export type NoUndefined<T> = T extends RegExp | Uint8Array | ((...args: never[]) => unknown)
  ? T
  : T extends readonly (infer U)[]
    ? NoUndefined<U>[]
    : T extends object
      ? { [K in keyof T]: NoUndefined<Exclude<T[K], undefined>> }
      : T;

/** A deep copy of `value` without the properties whose value is `undefined`. */
export function dropUndefined<T>(value: T): NoUndefined<T> {
  return strip(value) as NoUndefined<T>;
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (typeof value !== 'object' || value === null || value instanceof RegExp || value instanceof Uint8Array)
    return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) out[key] = strip(item);
  }
  return out;
}
