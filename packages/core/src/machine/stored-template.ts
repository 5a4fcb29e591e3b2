/**
 * The per-step record against a template (`rollgate.machine/v7`, see `stored-snapshot.ts`): the
 * `head` part holds the record's slow-moving fields as they were when it was written, and each
 * record holds only the values that differ from it. Most of a step's record is the same at
 * every step (the watch's options, deploy and phases, each watch state's fixed times, each
 * signal's `last` recipes' contract fields: docs/benchmarks.md, "record15-issue-13"); written
 * once in the part, a step writes only the numbers that moved.
 *
 * A difference, as JSON:
 * - absent (a key left out of its object): the template's value;
 * - a number, string, boolean or null: that value;
 * - a one-element array `[value]`: that value whole (an object or array that cannot be written
 *   as a difference);
 * - an object: the template's object or array with the keys it names replaced by their own
 *   differences (an array's by index), every other key the template's, in the template's order.
 *
 * The round trip is exact as JSON: the value read back is the one written through
 * `JSON.stringify`, field for field and in the same key order (the audit and the controller's
 * events are JSON of the snapshot: their text must not change after a resume).
 */

/** What {@link diffOf} returns for a value equal to its template: left out of the record. */
export const SAME: unique symbol = Symbol('same as the template');

/** The outcome of {@link diffOf}: the difference, and whether the template no longer fits. */
export interface TemplateDiff {
  readonly diff: unknown;
  /**
   * A value had another shape than its template (an object's keys or their order, an object
   * where the template has none): the record holds it whole, so the writer writes a new
   * template rather than keep it whole at every step.
   */
  readonly reshaped: boolean;
}

/**
 * What a difference knows of one template object: its keys (those JSON writes: not undefined),
 * in order, and whether most of them moved the last time a value was compared with it. One
 * cache per template, dropped with it: a WeakMap shared by every watch's template costs the
 * collector its ephemeron table (docs/benchmarks.md, `record15-issue-13`).
 */
interface Shape {
  readonly keys: readonly string[];
  /**
   * More than two thirds of the keys moved at the last comparison, none an object moving in
   * part (a test's counts): the value is written whole from then on, not walked, as long as
   * this template lasts. Whole is
   * always exact; it costs the unchanged keys' bytes and saves walking them at every step.
   */
  moving: boolean;
}

export type TemplateKeys = Map<object, Shape>;

function shapeOf(cache: TemplateKeys, t: Record<string, unknown>): Shape {
  let shape = cache.get(t);
  if (shape === undefined) {
    const list: string[] = [];
    for (const k in t) if (t[k] !== undefined) list.push(k);
    shape = { keys: list, moving: false };
    cache.set(t, shape);
  }
  return shape;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A walk that notes whether a value did not fit its template. */
class Differ {
  reshaped = false;
  readonly #keys: TemplateKeys;

  constructor(keys: TemplateKeys) {
    this.#keys = keys;
  }

  diff(v: unknown, t: unknown): unknown {
    if (v === t) return SAME;
    if (typeof v !== 'object' || v === null) {
      // A number, string, boolean or null written as it is; an undefined one (JSON: null in an
      // array, left out in an object, where the object's check sees it) likewise.
      return v === undefined ? null : v;
    }
    if (Array.isArray(v)) return this.#array(v, t);
    if (!isPlainObject(t)) return this.#whole(v);
    // Both objects' keys in order (JSON's: undefined values skipped), walked together: no key
    // list is kept per template object, which would cost each watch's heap (record15-issue-13).
    const own = Object.keys(v);
    const keys = Object.keys(t);
    const o = v as Record<string, unknown>;
    let i = 0;
    let out: Record<string, unknown> | null = null;
    for (let j = 0; j < own.length; j++) {
      const k = own[j] as string;
      const value = o[k];
      if (value === undefined) continue;
      while (i < keys.length && t[keys[i] as string] === undefined) i++;
      if (keys[i] !== k) return this.#whole(v);
      i++;
      const before = t[k];
      if (value === before) continue;
      let d: unknown = value;
      if (typeof value === 'object' && value !== null) {
        d = this.diff(value, before);
        if (d === SAME) continue;
      }
      out ??= {};
      out[k] = d;
    }
    while (i < keys.length && t[keys[i] as string] === undefined) i++;
    if (i !== keys.length) return this.#whole(v);
    return out ?? SAME;
  }

  #array(v: readonly unknown[], t: unknown): unknown {
    if (!Array.isArray(t)) return this.#whole(v);
    // A column of numbers of another length (a window filling up) is written whole; so is an
    // array of objects, and the template no longer fits it.
    if (v.length !== t.length) return v.length > 0 && typeof v[0] === 'object' ? this.#whole(v) : [v];
    let out: Record<string, unknown> | null = null;
    // Entries written by index cost their index too: past half the column, it is written whole
    // (a sliding window's counts move at every index; its times, as differences, only at the first).
    let moved = 0;
    const most = v.length >> 1;
    for (let i = 0; i < v.length; i++) {
      const value = v[i];
      const before = t[i];
      if (value === before) continue;
      let d: unknown;
      if (typeof value !== 'object' || value === null) {
        if (++moved > most) return [v];
        d = value === undefined ? null : value;
      } else {
        d = this.diff(value, before);
        if (d === SAME) continue;
      }
      out ??= {};
      out[i] = d;
    }
    return out ?? SAME;
  }

  #whole(v: object): unknown[] {
    this.reshaped = true;
    return [v];
  }
}

/**
 * `value`'s difference from `template` ({@link SAME} when JSON would write them the same).
 * Objects are compared by identity first: a snapshot shares its unchanged values with the one
 * before, so most of a record is not walked. `keys` caches the template's key lists: pass the
 * same map for every difference from one template.
 */
export function diffOf(value: unknown, template: unknown, keys: TemplateKeys = new Map()): TemplateDiff {
  const differ = new Differ(keys);
  const diff = differ.diff(value, template);
  return { diff, reshaped: differ.reshaped };
}

/**
 * The value a difference written by {@link diffOf} stands for, on `template` (JSON as the part
 * holds it). Throws `corrupt(message)` naming `where` when the difference does not fit.
 */
export function applyDiff(
  template: unknown,
  diff: unknown,
  where: string,
  corrupt: (message: string) => Error,
): unknown {
  if (diff === undefined) return template;
  if (Array.isArray(diff)) {
    if (diff.length !== 1) throw corrupt(`${where} is a whole value of ${diff.length} entries, not one.`);
    return diff[0];
  }
  if (!isPlainObject(diff)) return diff;
  if (Array.isArray(template)) {
    const out = template.slice();
    for (const k in diff) {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0 || i >= out.length) {
        throw corrupt(`${where}[${k}] differs from an entry its template does not have.`);
      }
      out[i] = applyDiff(template[i], diff[k], `${where}[${k}]`, corrupt);
    }
    return out;
  }
  if (!isPlainObject(template)) {
    throw corrupt(`${where} is written as a difference from an object its template does not have.`);
  }
  const out: Record<string, unknown> = {};
  for (const k in template) {
    out[k] = k in diff ? applyDiff(template[k], diff[k], `${where}.${k}`, corrupt) : template[k];
  }
  for (const k in diff) {
    if (!(k in template)) throw corrupt(`${where}.${k} differs from a field its template does not have.`);
  }
  return out;
}
