import {
  isValidKeep,
  MIN_KEEP,
  newestFirst,
  newestNotExcluded,
  payloadProblem,
  retainVerification,
} from '../artifacts/artifact-retention';
import { checkVerification, signVerification } from '../artifacts/verification-signing';
import { RollgateError } from '../errors/rollgate-error';
import type { ArtifactStore, Signer, VerificationRecord } from '../ports/artifact-store';
import { fail, ok } from '../ports/result';
import { contextError, decideFault, type FakeOptions } from './memory-faults';

const COMPONENT = 'memory-artifact-store';

/** Options for {@link createMemoryArtifactStore}. */
export interface MemoryArtifactStoreOptions extends FakeOptions {
  /** Signs new records and checks every record read back (e.g. `insecureTestSigner()`). */
  readonly signer: Signer;
  /** Verified artifacts kept per service. Default 5, at least 3. */
  readonly keep?: number;
}

/** A change to a stored record: fields to overwrite, or a function returning the new record. */
export type RecordTamper = Partial<VerificationRecord> | ((record: VerificationRecord) => VerificationRecord);

/** An in-memory {@link ArtifactStore} with test helpers. */
export interface MemoryArtifactStore extends ArtifactStore {
  /** Every stored record in storage order (oldest insertion first); fresh copies. */
  readonly records: readonly VerificationRecord[];
  /**
   * Edits a stored record behind the store's back, as someone editing the file would; its
   * signature is left as it was. Throws when no such record exists (a test bug).
   */
  tamper(service: string, artifactId: string, patch: RecordTamper): void;
}

/**
 * An {@link ArtifactStore} in memory with the file store's semantics: the same retention (the
 * `keep` newest per service, a re-recorded artifact replaces its older record), the same
 * newest-first order, every record read back checked with `checkVerification` (a tampered one
 * comes back `signatureValid: false`, never skipped).
 *
 * @throws RollgateError `CONFIG_INVALID` when `keep` is below 3.
 */
export function createMemoryArtifactStore(options: MemoryArtifactStoreOptions): MemoryArtifactStore {
  const { signer } = options;
  const keep = options.keep ?? 5;
  if (!isValidKeep(keep)) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `keep: must be an integer of at least ${MIN_KEEP} (got ${keep}).`,
      {
        component: COMPONENT,
      },
    );
  }
  let stored: VerificationRecord[] = [];
  const copy = (record: VerificationRecord): VerificationRecord =>
    JSON.parse(JSON.stringify(record)) as VerificationRecord;

  return {
    async record(payload, ctx) {
      const early = contextError(ctx, options.clock, COMPONENT);
      if (early) return fail(early);
      const problem = payloadProblem(payload);
      if (problem !== null) {
        return fail(
          new RollgateError('STORE_FAILED', `Refused to record a verification: ${problem}.`, {
            component: COMPONENT,
          }),
        );
      }
      const fault = decideFault(options.fault, {
        port: 'artifacts',
        method: 'record',
        subject: payload.service,
      });
      if (fault && fault.effect !== 'apply') return fail(fault.error);
      let signed: VerificationRecord;
      try {
        signed = copy(await signVerification(payload, signer));
      } catch (error) {
        return fail(RollgateError.from(error, 'STORE_FAILED', COMPONENT));
      }
      stored = retainVerification(stored, signed, keep);
      return fault ? fail(fault.error) : ok(copy(signed));
    },

    async lastVerified(service, { excluding }, ctx) {
      const early = contextError(ctx, options.clock, COMPONENT);
      if (early) return fail(early);
      const fault = decideFault(options.fault, {
        port: 'artifacts',
        method: 'lastVerified',
        subject: service,
      });
      if (fault) return fail(fault.error);
      const newest = newestNotExcluded(stored, service, excluding);
      return ok(newest === null ? null : await checkVerification(copy(newest), signer));
    },

    async list(service, ctx) {
      const early = contextError(ctx, options.clock, COMPONENT);
      if (early) return fail(early);
      const fault = decideFault(options.fault, { port: 'artifacts', method: 'list', subject: service });
      if (fault) return fail(fault.error);
      const mine = newestFirst(stored.filter((r) => r.service === service));
      return ok(await Promise.all(mine.map((record) => checkVerification(copy(record), signer))));
    },

    get records() {
      return stored.map(copy);
    },

    tamper(service, artifactId, patch) {
      const index = stored.findIndex((r) => r.service === service && r.artifact.id === artifactId);
      const current = stored[index];
      if (current === undefined) throw new Error(`tamper: no record of ${artifactId} for ${service}`);
      const next = typeof patch === 'function' ? patch(copy(current)) : { ...current, ...patch };
      stored[index] = copy(next);
    },
  };
}
