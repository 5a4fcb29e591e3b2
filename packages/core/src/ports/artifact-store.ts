import type { PortContext } from './abort';
import type { ArtifactRef } from './executor';
import type { Result } from './result';

/** Secret-free summary of the evidence that verified an artifact. */
export interface VerificationEvidence {
  /** One line for humans, e.g. "baked 300 s, 6012 requests, all 4 signals pass". */
  readonly summary: string;
  readonly bakeSeconds: number;
  readonly signals: readonly {
    readonly signal: string;
    readonly verdict: 'pass' | 'breach' | 'no-data' | 'error';
    readonly value: number | null;
    readonly samples: number;
  }[];
}

/** The signed part of a verification: what was verified, when, and on what evidence. */
export interface VerificationPayload {
  readonly service: string;
  readonly artifact: ArtifactRef;
  /** Epoch ms. */
  readonly verifiedAt: number;
  readonly evidence: VerificationEvidence;
}

/** A stored verification with its signature over the canonical JSON of the payload. */
export interface VerificationRecord extends VerificationPayload {
  /** Identifies the key that signed (a fingerprint, never the key itself). */
  readonly keyId: string;
  readonly algorithm: 'ed25519' | 'hmac-sha256' | 'test-only';
  /** base64 signature of `canonicalJson(payload)`. */
  readonly signature: string;
}

/** A record as read back, with the outcome of checking its signature. */
export interface CheckedVerification {
  readonly record: VerificationRecord;
  readonly signatureValid: boolean;
  /** Why the signature did not verify (tampered, unknown key, malformed). */
  readonly problem?: string;
}

/**
 * Signs and verifies verification payloads. `@rollgate/core/node` provides Ed25519 and
 * HMAC-SHA256 signers; `@rollgate/core/testing` a deterministic, insecure one for tests.
 */
export interface Signer {
  readonly keyId: string;
  readonly algorithm: VerificationRecord['algorithm'];
  sign(data: string): Promise<string>;
  verify(data: string, signature: string, keyId: string): Promise<boolean>;
}

/**
 * Where verified artifacts are kept. Rules for implementers:
 * - `record` signs the payload and stores it; it MUST keep at least the three newest verified
 *   artifacts per service.
 * - `lastVerified` returns the newest record whose artifact id is not in `excluding`, with its
 *   signature checked; a tampered record comes back with `signatureValid: false`, never
 *   silently skipped, so the controller can halt and page.
 * - Methods MUST NOT throw for storage failures: they resolve to a {@link Result}.
 */
export interface ArtifactStore {
  record(payload: VerificationPayload, ctx: PortContext): Promise<Result<VerificationRecord>>;
  lastVerified(
    service: string,
    options: { readonly excluding: readonly string[] },
    ctx: PortContext,
  ): Promise<Result<CheckedVerification | null>>;
  /** Every record for `service`, newest first, signatures checked. */
  list(service: string, ctx: PortContext): Promise<Result<readonly CheckedVerification[]>>;
}
