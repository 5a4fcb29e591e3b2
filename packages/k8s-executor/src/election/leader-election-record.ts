import type { JsonObject } from '../resources/json-value';
import type { LeaseSpecView } from '../resources/kube-objects';

/** client-go's `LeaderElectionRecord`, stored in a Lease's spec. */
export interface LeaderElectionRecord {
  /** Empty when nobody holds the lease (after a release). */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: string | undefined;
  readonly renewTime: string | undefined;
  readonly leaseTransitions: number;
}

/** The record a Lease spec holds. */
export function recordFromSpec(spec: LeaseSpecView): LeaderElectionRecord {
  return {
    holderIdentity: spec.holderIdentity,
    leaseDurationSeconds: spec.leaseDurationSeconds,
    acquireTime: spec.acquireTime,
    renewTime: spec.renewTime,
    leaseTransitions: spec.leaseTransitions,
  };
}

/** The Lease spec for a record. */
export function recordToSpec(record: LeaderElectionRecord): JsonObject {
  const spec: JsonObject = {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    leaseTransitions: record.leaseTransitions,
  };
  if (record.acquireTime !== undefined) spec.acquireTime = record.acquireTime;
  if (record.renewTime !== undefined) spec.renewTime = record.renewTime;
  return spec;
}

/**
 * A canonical form for change detection. Like client-go comparing the raw record bytes, any
 * difference (a renewTime bump above all) counts as "the holder is alive"; the times themselves
 * are never compared with the local clock.
 */
export function recordKey(record: LeaderElectionRecord): string {
  return JSON.stringify([
    record.holderIdentity,
    record.leaseDurationSeconds,
    record.acquireTime ?? null,
    record.renewTime ?? null,
    record.leaseTransitions,
  ]);
}
