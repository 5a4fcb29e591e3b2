import { payloadFixture } from '@rollgate/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkVerification, signVerification } from '../../src/artifacts/verification-signing';
import { insecureTestSigner, testChecksum } from '../../src/testing/test-signer';

describe('insecureTestSigner', () => {
  it('is deterministic, labelled test-only, and verifies its own signatures', async () => {
    const signer = insecureTestSigner('k1');
    expect(signer.algorithm).toBe('test-only');
    expect(signer.keyId).toBe('k1');
    const sig = await signer.sign('hello');
    expect(sig).toBe(await insecureTestSigner('k1').sign('hello'));
    expect(sig).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(await signer.verify('hello', sig, 'k1')).toBe(true);
    expect(insecureTestSigner().keyId).toBe('test-key');
  });

  it('rejects other content, other keys and unknown key ids; accepts trusted key ids', async () => {
    const signer = insecureTestSigner('k1', { trustedKeyIds: ['k0'] });
    const sig = await signer.sign('hello');
    expect(await signer.verify('hellO', sig, 'k1')).toBe(false);
    expect(await signer.verify('hello', sig, 'k2')).toBe(false);
    expect(
      await insecureTestSigner('k2').verify('hello', await insecureTestSigner('k2').sign('hello'), 'k1'),
    ).toBe(false);
    expect(await signer.verify('hello', await insecureTestSigner('k0').sign('hello'), 'k0')).toBe(true);
    expect(await insecureTestSigner('k2').sign('hello')).not.toBe(sig);
  });

  it('detects any single-character edit of the content (property)', async () => {
    await fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 1, max: 0xfffe }),
        (text, at, delta) => {
          const i = at % text.length;
          const edited =
            text.slice(0, i) + String.fromCharCode((text.charCodeAt(i) + delta) % 0xffff) + text.slice(i + 1);
          if (edited === text) return;
          expect(testChecksum('k', edited)).not.toBe(testChecksum('k', text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('works with the core signing helpers', async () => {
    const signer = insecureTestSigner();
    const record = await signVerification(payloadFixture('checkout', '41@b', 1_000), signer);
    expect(await checkVerification(record, signer)).toEqual({ record, signatureValid: true });
    const edited = { ...record, evidence: { ...record.evidence, bakeSeconds: 1 } };
    expect((await checkVerification(edited, signer)).signatureValid).toBe(false);
  });
});
