import type {
  CheckedVerification,
  Signer,
  VerificationPayload,
  VerificationRecord,
} from '../ports/artifact-store';
import { canonicalJson } from './canonical-json';

/** The exact bytes a verification signature covers: the canonical JSON of the payload. */
export function signedContent(payload: VerificationPayload): string {
  return canonicalJson({
    service: payload.service,
    artifact: payload.artifact,
    verifiedAt: payload.verifiedAt,
    evidence: payload.evidence,
  });
}

/** Signs a verification payload into a storable record. */
export async function signVerification(
  payload: VerificationPayload,
  signer: Signer,
): Promise<VerificationRecord> {
  const signature = await signer.sign(signedContent(payload));
  return {
    service: payload.service,
    artifact: payload.artifact,
    verifiedAt: payload.verifiedAt,
    evidence: payload.evidence,
    keyId: signer.keyId,
    algorithm: signer.algorithm,
    signature,
  };
}

/**
 * Checks a stored record's signature. Anything that changed after signing (an edited artifact
 * id, evidence, time or key id) makes it invalid; so does a malformed record. Never throws.
 */
export async function checkVerification(
  record: VerificationRecord,
  signer: Signer,
): Promise<CheckedVerification> {
  try {
    if (record.algorithm !== signer.algorithm) {
      return {
        record,
        signatureValid: false,
        problem: `signed with ${record.algorithm}, this store verifies ${signer.algorithm}`,
      };
    }
    const valid = await signer.verify(signedContent(record), record.signature, record.keyId);
    return valid
      ? { record, signatureValid: true }
      : {
          record,
          signatureValid: false,
          problem: 'signature does not match the record (tampered, or signed by another key)',
        };
  } catch (error) {
    return {
      record,
      signatureValid: false,
      problem: `record cannot be checked: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
