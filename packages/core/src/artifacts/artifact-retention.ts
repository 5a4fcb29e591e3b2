import type { VerificationPayload, VerificationRecord } from '../ports/artifact-store';

// Pure (no node: imports): the in-memory store in @rollgate/core/testing uses the same rules,
// so the fake and the file store cannot drift apart.

/** The smallest `keep` a store accepts: at least three verified artifacts are kept (docs/stores.md). */
export const MIN_KEEP = 3;

/**
 * Orders records newest first: by `verifiedAt`, and for equal times the one stored later first.
 * `records` is in storage order (oldest insertion first).
 */
export function newestFirst<R extends VerificationRecord>(records: readonly R[]): R[] {
  return records
    .map((record, index) => ({ record, index }))
    .sort((a, b) => b.record.verifiedAt - a.record.verifiedAt || b.index - a.index)
    .map(({ record }) => record);
}

/**
 * Adds `record` to the stored list (storage order): an older record of the same service and
 * artifact id is replaced, then only the `keep` newest records of that service are kept.
 * Other services are untouched.
 */
export function retainVerification<R extends VerificationRecord>(
  records: readonly R[],
  record: R,
  keep: number,
): R[] {
  const next = records.filter((r) => !(r.service === record.service && r.artifact.id === record.artifact.id));
  next.push(record);
  const kept = new Set(newestFirst(next.filter((r) => r.service === record.service)).slice(0, keep));
  return next.filter((r) => r.service !== record.service || kept.has(r));
}

/** The newest record of `service` whose artifact id is not in `excluding`, or null. */
export function newestNotExcluded<R extends VerificationRecord>(
  records: readonly R[],
  service: string,
  excluding: readonly string[],
): R | null {
  const skip = new Set(excluding);
  return newestFirst(records.filter((r) => r.service === service && !skip.has(r.artifact.id)))[0] ?? null;
}

/** A `keep` option is valid when it is an integer of at least {@link MIN_KEEP}. */
export function isValidKeep(keep: number): boolean {
  return Number.isInteger(keep) && keep >= MIN_KEEP;
}

/**
 * What is wrong with a payload about to be signed, or null. Signing an empty service or artifact
 * id, or a time JSON cannot hold, would store a record nobody can find or check.
 */
export function payloadProblem(payload: VerificationPayload): string | null {
  if (typeof payload?.service !== 'string' || payload.service.length === 0)
    return 'service must be a non-empty string';
  if (typeof payload.artifact?.id !== 'string' || payload.artifact.id.length === 0) {
    return 'artifact.id must be a non-empty string';
  }
  if (!Number.isFinite(payload.verifiedAt)) return 'verifiedAt must be a finite epoch-ms number';
  if (typeof payload.evidence !== 'object' || payload.evidence === null) return 'evidence must be an object';
  return null;
}
