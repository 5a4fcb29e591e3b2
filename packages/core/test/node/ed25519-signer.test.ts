import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import {
  createEd25519Signer,
  ED25519_PRIVATE_KEY_FILE,
  ED25519_PUBLIC_KEY_FILE,
} from '../../src/node/ed25519-signer';
import { tempDir } from './temp-dir';

function pemPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function configErrorOf(fn: () => unknown): RollgateError {
  try {
    fn();
  } catch (error) {
    if (RollgateError.is(error)) {
      expect(error.code).toBe('CONFIG_INVALID');
      return error;
    }
    throw error;
  }
  throw new Error('expected CONFIG_INVALID to be thrown');
}

describe('createEd25519Signer', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => cleanup());

  it('generates a key pair on first use, persists it (private 0600, public beside it) and reuses it', async () => {
    const keyDir = join(dir, 'keys', 'nested');
    const first = createEd25519Signer({ keyDir });
    const privatePath = join(keyDir, ED25519_PRIVATE_KEY_FILE);
    const publicPath = join(keyDir, ED25519_PUBLIC_KEY_FILE);
    expect(statSync(privatePath).mode & 0o777).toBe(0o600);
    expect(readFileSync(publicPath, 'utf8')).toBe(first.publicKeyPem);
    expect(readFileSync(privatePath, 'utf8')).toContain('BEGIN PRIVATE KEY');

    const signature = await first.sign('payload');
    const second = createEd25519Signer({ keyDir });
    expect(second.keyId).toBe(first.keyId);
    expect(second.publicKeyPem).toBe(first.publicKeyPem);
    expect(await second.verify('payload', signature, first.keyId)).toBe(true);
    expect(await second.sign('payload')).toBe(signature); // Ed25519 is deterministic
  });

  it('uses a fingerprint of the public key as keyId, never key material', async () => {
    const pair = pemPair();
    const signer = createEd25519Signer({ privateKeyPem: pair.privateKeyPem });
    const der = Buffer.from(pair.publicKeyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(signer.keyId).toBe(createHash('sha256').update(der).digest('hex').slice(0, 16));
    expect(signer.keyId).toMatch(/^[0-9a-f]{16}$/);
    for (const pem of [pair.privateKeyPem, pair.publicKeyPem]) {
      const body = pem.replace(/-----[^-]+-----|\s/g, '');
      expect(body).not.toContain(signer.keyId);
    }
    expect(signer.publicKeyPem).toBe(pair.publicKeyPem);
  });

  it('verifies only its own signatures under its own keyId', async () => {
    const signer = createEd25519Signer({ keyDir: dir });
    const other = createEd25519Signer({ privateKeyPem: pemPair().privateKeyPem });
    const signature = await signer.sign('data');
    expect(await signer.verify('data', signature, signer.keyId)).toBe(true);
    expect(await signer.verify('Data', signature, signer.keyId)).toBe(false);
    expect(await signer.verify('data', signature, 'feedfacefeedface')).toBe(false);
    expect(await signer.verify('data', await other.sign('data'), other.keyId)).toBe(false);
    expect(await signer.verify('data', await other.sign('data'), signer.keyId)).toBe(false);
    expect(await signer.verify('data', 'not base64!', signer.keyId)).toBe(false);
    expect(await signer.verify('data', '', signer.keyId)).toBe(false);
    expect(await signer.verify('data', signature.slice(0, 40), signer.keyId)).toBe(false);
  });

  it('refuses a signature whose text was edited even where lenient base64 would decode the same bytes', async () => {
    const signer = createEd25519Signer({ keyDir: dir });
    const signature = await signer.sign('data');
    expect(signature.endsWith('==')).toBe(true);
    const last = signature.at(-3) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sameBytes =
      alphabet[(alphabet.indexOf(last) & ~0b1111) | ((alphabet.indexOf(last) + 1) & 0b1111)] ?? 'A';
    const edited = `${signature.slice(0, -3)}${sameBytes}==`;
    expect(Buffer.from(edited, 'base64')).toEqual(Buffer.from(signature, 'base64'));
    expect(await signer.verify('data', edited, signer.keyId)).toBe(false);
    expect(await signer.verify('data', ` ${signature}`, signer.keyId)).toBe(false);
  });

  it('accepts extra trusted public keys for verifying, under their own fingerprints', async () => {
    const old = createEd25519Signer({ privateKeyPem: pemPair().privateKeyPem });
    const current = createEd25519Signer({ keyDir: dir, trustedPublicKeys: [old.publicKeyPem] });
    const signature = await old.sign('rotated');
    expect(await current.verify('rotated', signature, old.keyId)).toBe(true);
    expect(await current.verify('rotated', signature, current.keyId)).toBe(false);
    expect(current.keyId).not.toBe(old.keyId);
  });

  it('can be verify-only with a public key: sign rejects with CONFIG_INVALID', async () => {
    const full = createEd25519Signer({ keyDir: dir });
    const verifier = createEd25519Signer({ publicKeyPem: full.publicKeyPem });
    expect(verifier.canSign).toBe(false);
    expect(verifier.keyId).toBe(full.keyId);
    expect(await verifier.verify('x', await full.sign('x'), full.keyId)).toBe(true);
    await expect(verifier.sign('x')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses bad configuration with CONFIG_INVALID and never quotes key material', () => {
    const pair = pemPair();
    expect(configErrorOf(() => createEd25519Signer({})).message).toMatch(/keyDir/);
    expect(
      configErrorOf(() => createEd25519Signer({ privateKeyPem: pair.privateKeyPem, keyDir: dir })).message,
    ).toMatch(/not both/);
    expect(
      configErrorOf(() => createEd25519Signer({ publicKeyPem: pair.publicKeyPem, keyDir: dir })).message,
    ).toMatch(/not both/);
    const mismatch = configErrorOf(() =>
      createEd25519Signer({ privateKeyPem: pair.privateKeyPem, publicKeyPem: pemPair().publicKeyPem }),
    );
    expect(mismatch.message).toMatch(/does not belong/);
    const garbage = `-----BEGIN PRIVATE KEY-----\nSECRETSECRETSECRET\n-----END PRIVATE KEY-----\n`;
    const unreadable = configErrorOf(() => createEd25519Signer({ privateKeyPem: garbage }));
    expect(unreadable.message).not.toContain('SECRETSECRET');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(configErrorOf(() => createEd25519Signer({ privateKeyPem: rsa })).message).toMatch(/Ed25519/);
    for (const error of [mismatch, unreadable]) {
      const text = JSON.stringify(error.toJSON()) + error.message;
      expect(text).not.toContain(pair.privateKeyPem.split('\n')[1]);
    }
  });

  it('refuses a private key file other users can read, like ssh does', () => {
    createEd25519Signer({ keyDir: dir });
    chmodSync(join(dir, ED25519_PRIVATE_KEY_FILE), 0o644);
    expect(configErrorOf(() => createEd25519Signer({ keyDir: dir })).message).toMatch(/chmod 600/);
  });

  it('restores a missing public key file from the private key', () => {
    const first = createEd25519Signer({ keyDir: dir });
    rmSync(join(dir, ED25519_PUBLIC_KEY_FILE));
    writeFileSync(join(dir, 'unrelated'), 'x');
    const second = createEd25519Signer({ keyDir: dir });
    expect(second.keyId).toBe(first.keyId);
    expect(readFileSync(join(dir, ED25519_PUBLIC_KEY_FILE), 'utf8')).toBe(first.publicKeyPem);
  });

  it('halts with SIGNING_KEY_MISSING when the private key is gone but its public key is there, writing nothing (issue 18, finding 5)', () => {
    const first = createEd25519Signer({ keyDir: dir });
    const publicPath = join(dir, ED25519_PUBLIC_KEY_FILE);
    const publicBefore = readFileSync(publicPath, 'utf8');
    rmSync(join(dir, ED25519_PRIVATE_KEY_FILE));
    let error: unknown;
    try {
      createEd25519Signer({ keyDir: dir });
    } catch (e) {
      error = e;
    }
    expect(RollgateError.is(error) && error.code).toBe('SIGNING_KEY_MISSING');
    expect((error as Error).message).toContain(ED25519_PRIVATE_KEY_FILE);
    expect((error as Error).message).toContain(first.keyId);
    // Nothing was written: no new pair, the public key untouched, no temporary files.
    expect(readdirSync(dir)).toEqual([ED25519_PUBLIC_KEY_FILE]);
    expect(readFileSync(publicPath, 'utf8')).toBe(publicBefore);
  });

  it('refuses a public key file that belongs to another private key instead of overwriting it', () => {
    createEd25519Signer({ keyDir: dir });
    const publicPath = join(dir, ED25519_PUBLIC_KEY_FILE);
    const other = pemPair().publicKeyPem;
    writeFileSync(publicPath, other);
    expect(configErrorOf(() => createEd25519Signer({ keyDir: dir })).message).toMatch(
      /does not belong to the private key/,
    );
    expect(readFileSync(publicPath, 'utf8')).toBe(other);
  });

  it('loads an existing pair whose public key file differs only in layout (CRLF line ends)', () => {
    const first = createEd25519Signer({ keyDir: dir });
    const publicPath = join(dir, ED25519_PUBLIC_KEY_FILE);
    writeFileSync(publicPath, first.publicKeyPem.replace(/\n/g, '\r\n'));
    expect(createEd25519Signer({ keyDir: dir }).keyId).toBe(first.keyId);
  });
});
