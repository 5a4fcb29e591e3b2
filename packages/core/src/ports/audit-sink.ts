import type { AuditRecord } from '../audit/audit-record';
import type { PortContext } from './abort';
import type { Result } from './result';

/**
 * Where audit records go (a JSON-lines file, a log pipeline). Rules for implementers:
 * - `write` MUST be idempotent per `record.watchId`: a controller that crashed after writing
 *   and resumed writes the same record again, and the sink keeps exactly one.
 * - Methods MUST NOT throw for storage failures: they resolve to a {@link Result}.
 */
export interface AuditSink {
  write(record: AuditRecord, ctx: PortContext): Promise<Result<void>>;
  /** The record of one watch, or null. */
  read(watchId: string, ctx: PortContext): Promise<Result<AuditRecord | null>>;
}
