import type { AuditRecord } from '../audit/audit-record';
import type { PortContext } from './abort';
import type { Result } from './result';

/**
 * Where audit records go (a JSON-lines file, a log pipeline). Rules for implementers:
 * - `write` MUST be idempotent per `record.watchId` and `record.revision` (absent = 1): a
 *   controller that crashed after writing and resumed writes the same record again, and the
 *   sink keeps exactly one. A new revision (a human reopened a halted, escalated or held watch,
 *   and it ended again) is kept beside the earlier ones.
 * - Methods MUST NOT throw for storage failures: they resolve to a {@link Result}.
 */
export interface AuditSink {
  write(record: AuditRecord, ctx: PortContext): Promise<Result<void>>;
  /** The newest revision of one watch's record, or null. */
  read(watchId: string, ctx: PortContext): Promise<Result<AuditRecord | null>>;
}
