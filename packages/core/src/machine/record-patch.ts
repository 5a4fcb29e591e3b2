/**
 * The per-step record of `rollgate.machine/v4` as a patch of a base record (`stored-snapshot.ts`,
 * docs/stores.md "Watch snapshots in the StateStore"): the values that changed since the base
 * was saved, so a step writes what moved (the tests' numbers, the count windows, the last
 * verdicts' figures) and not the unchanged structure around them.
 *
 * A patch node is one of:
 * - `[value]`: the value at this place is `value` (a one-element array: never ambiguous, since
 *   arrays are never patched in place by an array);
 * - `{ key: node, ... }`: the object (or, keys being indices, the array of the same length) at
 *   this place with those entries patched, the others as in the base; `{}` is "unchanged";
 * - `{ "+": [values] }`: the array at this place with `values` appended.
 *
 * An object whose keys are not the base's keys in the same order is replaced whole, so a patched
 * record has its keys in the order the writer built them (a loaded snapshot serialises as the
 * live one). Values are compared by value, not identity (identity only skips work), so a writer
 * resumed from the base as parsed JSON computes the same patches as the one never stopped.
 */

/** A patch node (see the module comment). */
export type PatchNode = unknown;

/** The patch of `cur` against `base`, and its estimated JSON size ({@link jsonWeight}). */
export interface RecordPatch {
  readonly patch: PatchNode;
  readonly weight: number;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An estimate of `value`'s JSON length: a number, boolean or null counts 8, a string its length
 * plus 2, an entry its key plus 3. Cheap (no text built) and the same for a value and its JSON
 * round trip (undefined entries are skipped, as JSON drops them), so a resumed writer decides
 * to rebase exactly when the uninterrupted one does.
 */
export function jsonWeight(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value !== 'object' || value === null) return 8;
  let w = 2;
  if (Array.isArray(value)) {
    for (const v of value) w += jsonWeight(v) + 1;
    return w;
  }
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) w += k.length + 3 + jsonWeight(v);
  }
  return w;
}

/** Keys of `o` with a defined value, in order (the keys its JSON has). */
function definedKeys(o: Record<string, unknown>): string[] {
  const keys: string[] = [];
  for (const k in o) if (o[k] !== undefined) keys.push(k);
  return keys;
}

function sameKeys(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = definedKeys(a);
  const kb = definedKeys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return false;
  return true;
}

/** Equal as JSON text would be for primitives (NaN and null alike: JSON writes NaN as null). */
const samePrimitive = (a: unknown, b: unknown): boolean =>
  a === b || ((a === null || Number.isNaN(a)) && (b === null || Number.isNaN(b)));

/** Accumulates the patch's weight while {@link diff} builds it. */
interface Weight {
  n: number;
}

const replace = (value: unknown, w: Weight): PatchNode => {
  w.n += jsonWeight(value) + 2;
  return [value];
};

/** The node turning `base` into `cur`, or undefined when they are equal. */
function diff(base: unknown, cur: unknown, w: Weight): PatchNode | undefined {
  if (base === cur) return undefined;
  if (typeof cur !== 'object' || cur === null || typeof base !== 'object' || base === null) {
    return samePrimitive(base, cur) ? undefined : replace(cur, w);
  }
  if (Array.isArray(cur)) return Array.isArray(base) ? diffArray(base, cur, w) : replace(cur, w);
  if (Array.isArray(base) || !sameKeys(base as Record<string, unknown>, cur as Record<string, unknown>)) {
    return replace(cur, w);
  }
  return diffEntries(base as Record<string, unknown>, cur as Record<string, unknown>, w);
}

function diffEntries(
  base: Record<string, unknown>,
  cur: Record<string, unknown>,
  w: Weight,
): PatchNode | undefined {
  let out: Record<string, PatchNode> | undefined;
  for (const k in cur) {
    const v = cur[k];
    if (v === undefined) continue;
    const node = diff(base[k], v, w);
    if (node === undefined) continue;
    out ??= {};
    out[k] = node;
    w.n += k.length + 3;
  }
  return out;
}

/**
 * Arrays of objects of one length are patched element by element (the verdicts of a signal);
 * arrays of numbers, strings and nulls (columns) are appended to when the base is their start,
 * else replaced whole: a column that shifted (a count window) differs at every index.
 */
function diffArray(base: readonly unknown[], cur: readonly unknown[], w: Weight): PatchNode | undefined {
  const n = base.length;
  if (cur.length === n) {
    let out: Record<string, PatchNode> | undefined;
    for (let i = 0; i < n; i++) {
      const b = base[i];
      const c = cur[i];
      if (b === c) continue;
      if (!isPlainObject(b) || !isPlainObject(c)) {
        const primitives = (b === null || typeof b !== 'object') && (c === null || typeof c !== 'object');
        if (primitives && samePrimitive(b, c)) continue;
        return replace(cur, w);
      }
      const node = diff(b, c, w);
      if (node === undefined) continue;
      out ??= {};
      out[i] = node;
      w.n += 6;
    }
    return out;
  }
  if (cur.length > n) {
    for (let i = 0; i < n; i++) {
      const b = base[i];
      if (typeof b === 'object' && b !== null) return replace(cur, w);
      if (!samePrimitive(b, cur[i])) return replace(cur, w);
    }
    const added = cur.slice(n);
    w.n += jsonWeight(added) + 6;
    return { '+': added };
  }
  return replace(cur, w);
}

/** The patch turning `base` into `cur` (`{}` when nothing changed) and its estimated size. */
export function diffRecord(base: unknown, cur: unknown): RecordPatch {
  const w: Weight = { n: 2 };
  return { patch: diff(base, cur, w) ?? {}, weight: w.n };
}

const setEntry = (o: object, key: string, value: unknown): void => {
  // defineProperty, not assignment: a key "__proto__" is an entry like any other here.
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
};

/**
 * `base` with `patch` applied (a new value: `base` is not changed). Throws `corrupt(message)`,
 * naming the place, when the patch does not fit the base (a damaged record or a base of another
 * record).
 */
export function applyPatch(
  base: unknown,
  patch: PatchNode,
  corrupt: (message: string) => Error,
  where = 'record',
): unknown {
  if (Array.isArray(patch)) {
    if (patch.length !== 1) throw corrupt(`the patch at ${where} is not [value]`);
    return patch[0];
  }
  if (!isPlainObject(patch)) throw corrupt(`the patch at ${where} is neither [value] nor an object`);
  if (Array.isArray(base)) {
    if ('+' in patch) {
      const added = patch['+'];
      if (!Array.isArray(added) || Object.keys(patch).length !== 1) {
        throw corrupt(`the patch at ${where} appends something that is not an array`);
      }
      return [...base, ...added];
    }
    const out = base.slice();
    for (const k of Object.keys(patch)) {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0 || i >= out.length || String(i) !== k) {
        throw corrupt(`the patch at ${where} changes index "${k}" of an array of ${out.length}`);
      }
      out[i] = applyPatch(out[i], patch[k], corrupt, `${where}[${k}]`);
    }
    return out;
  }
  if (!isPlainObject(base)) throw corrupt(`the patch at ${where} changes entries of a value that has none`);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(base)) setEntry(out, k, base[k]);
  for (const k of Object.keys(patch)) {
    if (!Object.hasOwn(base, k)) throw corrupt(`the patch at ${where} changes "${k}", which the base lacks`);
    setEntry(out, k, applyPatch(base[k], patch[k], corrupt, `${where}.${k}`));
  }
  return out;
}
