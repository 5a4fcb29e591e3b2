import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import { createHmacSigner } from '../../src/node/hmac-signer';

const SECRET = 'kq3V9x7N2mB4pL8zR6tY1wE5uI0oA2sD';

describe('createHmacSigner', () => {
  it('signs with HMAC-SHA256 and verifies in constant time under its own keyId', async () => {
    const signer = createHmacSigner({ secret: SECRET });
    expect(signer.algorithm).toBe('hmac-sha256');
    const signature = await signer.sign('data');
    expect(Buffer.from(signature, 'base64')).toHaveLength(32);
    expect(await signer.verify('data', signature, signer.keyId)).toBe(true);
    expect(await signer.verify('datA', signature, signer.keyId)).toBe(false);
    expect(await signer.verify('data', signature, 'hmac-0000000000000000')).toBe(false);
    expect(await signer.verify('data', signature.slice(4), signer.keyId)).toBe(false);
    expect(await signer.verify('data', `${signature.slice(0, -2)}B=`, signer.keyId)).toBe(false);
  });

  it('derives a keyId that identifies the secret without containing it', () => {
    const signer = createHmacSigner({ secret: SECRET });
    expect(signer.keyId).toMatch(/^hmac-[0-9a-f]{16}$/);
    expect(createHmacSigner({ secret: SECRET }).keyId).toBe(signer.keyId);
    expect(createHmacSigner({ secret: `${SECRET}!` }).keyId).not.toBe(signer.keyId);
    expect(createHmacSigner({ secret: new TextEncoder().encode(SECRET) }).keyId).toBe(signer.keyId);
  });

  it('rejects signatures made with another secret under the same keyId', async () => {
    const a = createHmacSigner({ secret: SECRET, keyId: 'prod-2025' });
    const b = createHmacSigner({ secret: `${SECRET}x`, keyId: 'prod-2025' });
    expect(a.keyId).toBe('prod-2025');
    expect(await a.verify('data', await b.sign('data'), 'prod-2025')).toBe(false);
  });

  it('refuses a short secret or a bad keyId without showing the secret', () => {
    for (const options of [
      { secret: 'short-secret' },
      { secret: SECRET, keyId: SECRET },
      { secret: SECRET, keyId: 'has space' },
    ]) {
      let caught: unknown;
      try {
        createHmacSigner(options);
      } catch (error) {
        caught = error;
      }
      expect(RollgateError.is(caught) && caught.code).toBe('CONFIG_INVALID');
      const text = RollgateError.is(caught) ? `${caught.message}${JSON.stringify(caught.toJSON())}` : '';
      expect(text).not.toContain(options.secret);
    }
  });
});
