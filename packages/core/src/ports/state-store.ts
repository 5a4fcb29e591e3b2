import type { PortContext } from './abort';
import type { Result } from './result';

/**
 * Durable storage for the rollback machine's JSON snapshot, written after every transition so
 * a crashed controller resumes where it was. Rules for implementers:
 * - `save` MUST be atomic: after a crash, `load` returns either the previous or the new
 *   snapshot, never a torn one (write to a temporary file, fsync, rename).
 * - `load` resolves `null` when nothing is stored for `key`.
 * - Methods MUST NOT throw for storage failures: they resolve to a {@link Result}.
 */
export interface StateStore {
  load(key: string, ctx: PortContext): Promise<Result<unknown>>;
  save(key: string, snapshot: unknown, ctx: PortContext): Promise<Result<void>>;
  /**
   * The keys stored under `prefix` (every key that starts with it), sorted ascending. Keys
   * saved with `null` are listed too (they exist); a store that cannot list resolves an error.
   */
  list(prefix: string, ctx: PortContext): Promise<Result<readonly string[]>>;
}
