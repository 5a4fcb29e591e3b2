import type { Contract } from './contract-schema';

/**
 * Parsed contracts share their equal parts. A process that watches many services (a fleet of
 * controllers) parses one contract per watch, and most of a contract (its signals with their
 * rules and selectors, the policy objects) is the same from one service to the next: only
 * `service` differs in a fleet of default contracts. Each object or array field of a parsed
 * contract is replaced by the one instance of equal content already made, its objects frozen, so a
 * thousand watches keep one copy of it, not a thousand (about 2 KiB a watch of the default
 * contract; docs/benchmarks.md, `fleet22-issue-13`). The contract object itself stays the
 * caller's own, and reads as before: the same keys, in the same order, with the same values.
 *
 * Shared parts are frozen: nothing in the engine writes to a parsed contract, and a caller that
 * did would change every watch sharing the part; the freeze makes such a write (a rule's alpha, a
 * signal's selector, a signal's rules) throw instead. A contract's own top-level lists (its
 * `signals`, `latencyBucketsMs`) are not shared: each contract gets its own unfrozen array of
 * the shared elements, so a caller that adds a signal to one contract adds it to that one only,
 * and the lists the evaluation iterates at every step stay on V8's fast array paths
 * ({@link deepFreeze}). The table holds its parts weakly: a part no contract reads any more is collected, and its
 * entry removed, so a long-lived process that parses many different contracts does not grow.
 */
const parts = new Map<string, WeakRef<object>>();
const dropped = new FinalizationRegistry<string>((key) => {
  const ref = parts.get(key);
  if (ref !== undefined && ref.deref() === undefined) parts.delete(key);
});

/**
 * `contract`, its object fields and its arrays' object elements replaced by the shared instance
 * of equal content (see above). Equal content is equal JSON text with the keys in their order, `undefined`
 * members, non-finite numbers and -0 told apart ({@link partKey}): two parts with the same key
 * read the same through any path, key order included.
 */
export function internContract(contract: Contract): Contract {
  // The parsed object is the caller's new one: its fields are replaced in place, so the
  // contract keeps the parser's object and shape (no second object per contract).
  const fields = contract as unknown as Record<string, unknown>;
  for (const field of Object.keys(fields)) {
    const value = fields[field];
    if (Array.isArray(value)) {
      fields[field] = value.map((item: unknown) =>
        typeof item === 'object' && item !== null ? internPart(`${field}[]`, item) : item,
      );
    } else if (typeof value === 'object' && value !== null) {
      fields[field] = internPart(field, value);
    }
  }
  return contract;
}

function internPart(field: string, value: object): object {
  const key = `${field}:${partKey(value)}`;
  const kept = parts.get(key)?.deref();
  if (kept !== undefined) return kept;
  const frozen = deepFreeze(value);
  parts.set(key, new WeakRef(frozen));
  dropped.register(frozen, key);
  return frozen;
}

/** Parts interned now (for tests: entries whose part was collected leave with it). */
export function internedPartCount(): number {
  return parts.size;
}

/**
 * JSON text of `value` with what `JSON.stringify` would merge kept apart: a member present as
 * `undefined` (dropped by JSON), non-finite numbers (written as null) and -0 (written as 0), and
 * strings that start like one of these markers.
 */
function partKey(value: object): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === undefined) return '\u0000u';
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)))
      return `\u0000n${Object.is(v, -0) ? '-0' : String(v)}`;
    if (typeof v === 'string' && v.startsWith('\u0000')) return `\u0000s${v}`;
    return v;
  });
}

/**
 * Freezes `value` and everything in it, nested arrays included. The contract's top-level lists
 * are never frozen (each contract has its own, above): V8 gives a frozen array an elements kind
 * its array builtins' fast paths do not take (`map`, `filter`, `for...of` over a frozen array of
 * 4 objects: about 2x the CPU in a scratch measure; docs/benchmarks.md, `fleet22-issue-13`), and
 * the evaluation iterates the contract's signals at every step. A nested list (a signal's rules,
 * one or two) is frozen with its owner, so a write into it throws instead of reaching every watch.
 */
function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) {
    if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) deepFreeze(v);
  }
  return Object.freeze(value);
}
