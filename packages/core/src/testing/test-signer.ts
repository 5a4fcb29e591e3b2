import type { Signer } from '../ports/artifact-store';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
// Four FNV-1a lanes with different offset bases give 16 checksum bytes.
const LANE_SEEDS = [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b] as const;

/** Options for {@link insecureTestSigner}. */
export interface InsecureTestSignerOptions {
  /** Other key ids whose checksums `verify` accepts (to test key rotation). */
  readonly trustedKeyIds?: readonly string[];
}

/**
 * A deterministic, NON-cryptographic signer for pure tests and the backtest: the "signature" is
 * a 128-bit FNV-1a checksum of the content keyed by `keyId` (algorithm `'test-only'`). Anyone
 * can forge it, so never use it outside tests; it does detect every accidental or hand-made
 * edit a test makes (artifact id, evidence, time, key id, signature). `verify` accepts only its
 * own key id and `trustedKeyIds`.
 */
export function insecureTestSigner(keyId = 'test-key', options: InsecureTestSignerOptions = {}): Signer {
  const accepted = new Set([keyId, ...(options.trustedKeyIds ?? [])]);
  return {
    keyId,
    algorithm: 'test-only',
    async sign(data: string): Promise<string> {
      return testChecksum(keyId, data);
    },
    async verify(data: string, signature: string, signerKeyId: string): Promise<boolean> {
      return accepted.has(signerKeyId) && signature === testChecksum(signerKeyId, data);
    },
  };
}

/** The keyed checksum {@link insecureTestSigner} uses, as base64. */
export function testChecksum(keyId: string, data: string): string {
  const input = `${keyId}\u0000${data}`;
  const bytes: number[] = [];
  LANE_SEEDS.forEach((seed, lane) => {
    let hash = seed >>> 0;
    for (let i = 0; i < input.length; i++) {
      hash ^= input.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    hash ^= lane;
    hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b) >>> 0;
    hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35) >>> 0;
    hash = (hash ^ (hash >>> 16)) >>> 0;
    bytes.push(hash >>> 24, (hash >>> 16) & 0xff, (hash >>> 8) & 0xff, hash & 0xff);
  });
  return toBase64(bytes);
}

function toBase64(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += BASE64[(n >>> 18) & 63];
    out += BASE64[(n >>> 12) & 63];
    out += b === undefined ? '=' : BASE64[(n >>> 6) & 63];
    out += c === undefined ? '=' : BASE64[n & 63];
  }
  return out;
}
