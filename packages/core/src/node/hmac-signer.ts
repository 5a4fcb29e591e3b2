import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RollgateError } from '../errors/rollgate-error';
import type { Signer } from '../ports/artifact-store';
import { decodeStrictBase64 } from './strict-base64';

const COMPONENT = 'hmac-signer';
/** Shorter secrets are guessable offline from any stored signature. */
const MIN_SECRET_BYTES = 32;
const KEY_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/** Options for {@link createHmacSigner}. */
export interface HmacSignerOptions {
  /** The shared secret, at least 32 bytes (e.g. `openssl rand -base64 32`). */
  readonly secret: string | Uint8Array;
  /**
   * A label for the key (letters, digits, `._:-`, up to 64). Default: `hmac-` and 16 hex
   * characters of HMAC-SHA256(secret, "rollgate.key-id"), which identifies the secret without
   * revealing it.
   */
  readonly keyId?: string;
}

/**
 * An HMAC-SHA256 {@link Signer} over node:crypto: every holder of the secret can both sign and
 * verify. Signatures are compared in constant time; `verify` answers false for any `keyId` but
 * its own. The secret never appears in `keyId` or in an error.
 *
 * @throws RollgateError `CONFIG_INVALID` for a short secret or a malformed `keyId`.
 */
export function createHmacSigner(options: HmacSignerOptions): Signer {
  const secret =
    typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : Buffer.from(options.secret);
  if (secret.length < MIN_SECRET_BYTES) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `secret: an HMAC secret must be at least ${MIN_SECRET_BYTES} bytes (got ${secret.length}); generate one with \`openssl rand -base64 32\`.`,
      { component: COMPONENT },
    );
  }
  const mac = (data: string): Buffer => createHmac('sha256', secret).update(data, 'utf8').digest();
  const keyId = options.keyId ?? `hmac-${mac('rollgate.key-id').toString('hex').slice(0, 16)}`;
  if (
    !KEY_ID_PATTERN.test(keyId) ||
    (options.keyId !== undefined && typeof options.secret === 'string' && keyId.includes(options.secret))
  ) {
    throw new RollgateError(
      'CONFIG_INVALID',
      'keyId: use a short label of letters, digits and ._:- (at most 64 characters) that is not the secret.',
      { component: COMPONENT },
    );
  }
  return {
    keyId,
    algorithm: 'hmac-sha256',
    async sign(data: string): Promise<string> {
      return mac(data).toString('base64');
    },
    async verify(data: string, signature: string, signerKeyId: string): Promise<boolean> {
      if (signerKeyId !== keyId) return false;
      const given = decodeStrictBase64(signature);
      if (given === null || given.length !== 32) return false;
      return timingSafeEqual(given, mac(data));
    },
  };
}
