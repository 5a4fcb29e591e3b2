import { RollgateError } from '../errors/rollgate-error';
import { fail, ok, type Result } from '../ports/result';
import type { StateStore } from '../ports/state-store';
import { checkStateKey } from '../stores/state-key';
import { contextError, decideFault, type FakeOptions } from './memory-faults';
import type { MemoryLeaseTable } from './memory-watch-lease';

const COMPONENT = 'memory-state-store';

/** An in-memory {@link StateStore} with test helpers. */
export interface MemoryStateStore extends StateStore {
  /** The stored snapshot of `key` (a fresh copy), or undefined when none is stored. */
  get(key: string): unknown;
  /** Keys with a stored snapshot, in the order first saved. */
  readonly keys: readonly string[];
  /** Successful saves so far. */
  readonly saveCount: number;
  /** Stores a snapshot directly (to start a test from a resumed state). */
  set(key: string, snapshot: unknown): void;
  /** Makes `key` unreadable, like a damaged file: `load` then resolves `STATE_CORRUPT`. */
  corrupt(key: string): void;
}

/** Options of {@link createMemoryStateStore}. */
export interface MemoryStateStoreOptions extends FakeOptions {
  /**
   * The leases to check fenced saves against (`ctx.fence`), as a database keeping both would:
   * a save whose token is no longer current resolves `LEASE_LOST` and changes nothing.
   */
  readonly leases?: MemoryLeaseTable;
}

/**
 * A {@link StateStore} in memory that behaves like the file store: snapshots are kept as JSON
 * text (so a snapshot that does not survive `JSON.stringify` fails here too and every `load` is a
 * fresh copy), keys follow the same rules (`..` segments refused), a missing key loads as
 * `null`, and a corrupted entry is `STATE_CORRUPT`.
 */
export function createMemoryStateStore(options: MemoryStateStoreOptions = {}): MemoryStateStore {
  const stored = new Map<string, string>();
  /**
   * Every key ever stored, in ascending order: `list` answers a prefix with a binary search and
   * a scan of the matching run, as a database's index or a directory listing would. Scanning
   * every key instead made a fleet of N watches, each polling its own prefix every step, cost
   * O(N^2) per step in this double alone (docs/benchmarks.md, fleet section).
   */
  const sorted: string[] = [];
  let saveCount = 0;

  /** Index of the first key in `sorted` that is >= `key`. */
  const lowerBound = (key: string): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const put = (key: string, text: string): void => {
    if (!stored.has(key)) sorted.splice(lowerBound(key), 0, key);
    stored.set(key, text);
  };

  const keyError = (key: string): RollgateError | undefined => {
    const checked = checkStateKey(key);
    return checked.ok
      ? undefined
      : new RollgateError(
          'CONFIG_INVALID',
          `Refused state key ${JSON.stringify(String(key))}: ${checked.problem}.`,
          {
            component: COMPONENT,
          },
        );
  };

  const encode = (key: string, snapshot: unknown): Result<string> => {
    if (snapshot === undefined) {
      return fail(
        new RollgateError(
          'STORE_FAILED',
          `Refused to save an undefined snapshot for "${key}": save null to clear it.`,
          {
            component: COMPONENT,
          },
        ),
      );
    }
    try {
      return ok(JSON.stringify(snapshot));
    } catch (error) {
      return fail(
        new RollgateError(
          'STORE_FAILED',
          `The snapshot for "${key}" is not JSON-serialisable: ${String(error)}`,
          {
            component: COMPONENT,
            cause: error,
          },
        ),
      );
    }
  };

  return {
    async load(key, ctx) {
      const early = contextError(ctx, options.clock, COMPONENT) ?? keyError(key);
      if (early) return fail(early);
      const fault = decideFault(options.fault, { port: 'state', method: 'load', subject: key });
      if (fault) return fail(fault.error);
      const text = stored.get(key);
      if (text === undefined) return ok(null);
      try {
        return ok(JSON.parse(text) as unknown);
      } catch (error) {
        return fail(
          new RollgateError('STATE_CORRUPT', `The stored snapshot for "${key}" is corrupt: not valid JSON.`, {
            component: COMPONENT,
            cause: error,
            details: { key },
          }),
        );
      }
    },

    async save(key, snapshot, ctx) {
      const early = contextError(ctx, options.clock, COMPONENT) ?? keyError(key);
      if (early) return fail(early);
      const text = encode(key, snapshot);
      if (!text.ok) return text;
      const fault = decideFault(options.fault, { port: 'state', method: 'save', subject: key });
      if (fault?.effect !== 'apply' && fault) return fail(fault.error);
      if (ctx.fence && options.leases && !options.leases.admits(ctx.fence)) {
        return fail(
          new RollgateError(
            'LEASE_LOST',
            `Refused to save "${key}": the write is fenced with token ${ctx.fence.token} of lease "${ctx.fence.key}", which another holder has since been granted.`,
            { component: COMPONENT, details: { key, lease: ctx.fence.key, token: ctx.fence.token } },
          ),
        );
      }
      put(key, text.value);
      saveCount++;
      return fault ? fail(fault.error) : ok(undefined);
    },

    async list(prefix, ctx) {
      const early = contextError(ctx, options.clock, COMPONENT);
      if (early) return fail(early);
      const fault = decideFault(options.fault, { port: 'state', method: 'list', subject: prefix });
      if (fault) return fail(fault.error);
      const keys: string[] = [];
      for (let i = lowerBound(prefix); i < sorted.length; i++) {
        const key = sorted[i] as string;
        if (!key.startsWith(prefix)) break;
        keys.push(key);
      }
      return ok(keys);
    },

    get(key) {
      const text = stored.get(key);
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    },
    get keys() {
      return [...stored.keys()];
    },
    get saveCount() {
      return saveCount;
    },
    set(key, snapshot) {
      const text = encode(key, snapshot);
      if (!text.ok) throw text.error;
      put(key, text.value);
    },
    corrupt(key) {
      put(key, '{"torn":');
    },
  };
}
