import { Buffer } from 'node:buffer';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { RollgateError } from '../errors/rollgate-error';
import type { Signer } from '../ports/artifact-store';
import { decodeStrictBase64 } from './strict-base64';

const COMPONENT = 'ed25519-signer';

/** File names inside `keyDir`. */
export const ED25519_PRIVATE_KEY_FILE = 'rollgate-ed25519.key';
export const ED25519_PUBLIC_KEY_FILE = 'rollgate-ed25519.pub';

/** Options for {@link createEd25519Signer}. Give a PEM key, or a `keyDir`, or both PEMs. */
export interface Ed25519SignerOptions {
  /** PKCS#8 PEM private key. The public key is derived from it. */
  readonly privateKeyPem?: string;
  /** SPKI PEM public key. Alone, it makes a verify-only signer (`sign` rejects). */
  readonly publicKeyPem?: string;
  /**
   * Directory holding `rollgate-ed25519.key` (mode 0600) and `rollgate-ed25519.pub`. When
   * neither file exists, a key pair is generated and written there. When only the public key
   * exists, the private key was lost: `SIGNING_KEY_MISSING`, nothing written.
   */
  readonly keyDir?: string;
  /**
   * Extra SPKI PEM public keys whose signatures `verify` accepts (a rotated-out key, a second
   * controller). Only for verifying: this signer signs with its own key only.
   */
  readonly trustedPublicKeys?: readonly string[];
}

/** An Ed25519 {@link Signer}, plus the PEM public key to hand to other verifiers. */
export interface Ed25519Signer extends Signer {
  readonly algorithm: 'ed25519';
  /** SPKI PEM of this signer's public key. */
  readonly publicKeyPem: string;
  /** True when a private key is loaded (false for a verify-only signer). */
  readonly canSign: boolean;
}

/**
 * The fingerprint Rollgate uses as an Ed25519 `keyId`: the first 16 hex characters of the
 * SHA-256 of the DER (SPKI) public key. Derived from public data only.
 */
export function ed25519KeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/**
 * An Ed25519 signer over node:crypto. With `keyDir` and no key file there yet, a key pair is
 * generated on this first use and persisted (private key 0600, public key beside it); the next
 * run loads the same pair. Created synchronously so `keyId` is known at once.
 *
 * `verify` accepts a signature only for its own `keyId` or a trusted public key's; an unknown
 * `keyId` is simply false. Key material never appears in `keyId` or in an error.
 *
 * @throws RollgateError `CONFIG_INVALID` for missing or unreadable keys, a private key file
 *   readable by others, or a public key that does not match the private one;
 *   `SIGNING_KEY_MISSING` when `keyDir` holds a public key without its private key.
 */
export function createEd25519Signer(options: Ed25519SignerOptions): Ed25519Signer {
  const pair = resolveKeys(options);
  const keyId = ed25519KeyId(pair.publicKey);
  const verifiers = new Map<string, KeyObject>([[keyId, pair.publicKey]]);
  (options.trustedPublicKeys ?? []).forEach((pem, index) => {
    const key = parsePublicKey(pem, `trustedPublicKeys[${index}]`);
    verifiers.set(ed25519KeyId(key), key);
  });
  const publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privateKey = pair.privateKey;

  return {
    keyId,
    algorithm: 'ed25519',
    publicKeyPem,
    canSign: privateKey !== null,
    async sign(data: string): Promise<string> {
      if (privateKey === null) {
        throw new RollgateError(
          'CONFIG_INVALID',
          'This Ed25519 signer has only a public key, so it can verify but not sign: configure privateKeyPem or keyDir.',
          { component: COMPONENT },
        );
      }
      return cryptoSign(null, Buffer.from(data, 'utf8'), privateKey).toString('base64');
    },
    async verify(data: string, signature: string, signerKeyId: string): Promise<boolean> {
      const key = verifiers.get(signerKeyId);
      const bytes = decodeStrictBase64(signature);
      if (!key || !bytes || bytes.length !== 64) return false;
      try {
        return cryptoVerify(null, Buffer.from(data, 'utf8'), key, bytes);
      } catch {
        return false;
      }
    },
  };
}

interface KeyPair {
  readonly privateKey: KeyObject | null;
  readonly publicKey: KeyObject;
}

function resolveKeys(options: Ed25519SignerOptions): KeyPair {
  if (options.privateKeyPem !== undefined && options.keyDir !== undefined) {
    throw configError('Give either privateKeyPem or keyDir, not both: it would be unclear which key signs.');
  }
  if (options.privateKeyPem !== undefined) {
    const privateKey = parsePrivateKey(options.privateKeyPem, 'privateKeyPem');
    const publicKey = createPublicKey(privateKey);
    if (options.publicKeyPem !== undefined) {
      const given = parsePublicKey(options.publicKeyPem, 'publicKeyPem');
      if (ed25519KeyId(given) !== ed25519KeyId(publicKey)) {
        throw configError(
          'publicKeyPem does not belong to privateKeyPem: give the matching pair, or only the private key.',
        );
      }
    }
    return { privateKey, publicKey };
  }
  if (options.keyDir !== undefined) {
    if (options.publicKeyPem !== undefined) {
      throw configError('Give either keyDir or publicKeyPem, not both: keyDir already holds the public key.');
    }
    return loadOrCreateKeyDir(options.keyDir);
  }
  if (options.publicKeyPem !== undefined) {
    return { privateKey: null, publicKey: parsePublicKey(options.publicKeyPem, 'publicKeyPem') };
  }
  throw configError(
    'No Ed25519 key configured: set keyDir (a key pair is generated there on first use) or privateKeyPem.',
  );
}

/**
 * Loads the pair in `keyDir`, generating one only when neither half exists. A public key without
 * its private key is a lost key, not a fresh start: generating a new pair would overwrite the
 * public key and make every existing verification unverifiable (and every rollback halt), so
 * that is `SIGNING_KEY_MISSING` with nothing written. A public key file that belongs to a
 * different private key is refused the same way; one that is missing or unreadable is restored
 * from the private key, which decides which verifications are valid.
 */
function loadOrCreateKeyDir(keyDir: string): KeyPair {
  const privatePath = join(keyDir, ED25519_PRIVATE_KEY_FILE);
  const publicPath = join(keyDir, ED25519_PUBLIC_KEY_FILE);
  let privatePem = readIfExists(privatePath);
  const storedPublicPem = readIfExists(publicPath);
  if (privatePem === null) {
    if (storedPublicPem !== null) throw missingPrivateKey(privatePath, publicPath, storedPublicPem);
    createPrivateKeyFile(keyDir, privatePath);
    privatePem = readIfExists(privatePath);
    if (privatePem === null)
      throw configError(`keyDir: the new key file ${privatePath} vanished after it was written.`);
  }
  checkPrivateKeyMode(privatePath);
  const privateKey = parsePrivateKey(privatePem, `keyDir (${privatePath})`);
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const stored = storedPublicPem === null ? null : tryPublicKey(storedPublicPem);
  if (stored === null) {
    // Missing, or not a key at all (a truncated write): the private key says what it must be.
    writeSyncAtomic(publicPath, publicPem, 0o644);
  } else if (ed25519KeyId(stored) !== ed25519KeyId(publicKey)) {
    throw configError(
      `keyDir: the public key ${publicPath} (key id ${ed25519KeyId(stored)}) does not belong to the private key ${privatePath} (key id ${ed25519KeyId(publicKey)}). Replacing it would make every verification signed with it unverifiable: restore the matching private key, or move the public key away on purpose (then record the verified artifacts again).`,
    );
  }
  return { privateKey, publicKey };
}

/** The error for a key directory that has lost its private key (see {@link loadOrCreateKeyDir}). */
function missingPrivateKey(privatePath: string, publicPath: string, publicPem: string): RollgateError {
  const key = tryPublicKey(publicPem);
  const id = key === null ? 'unreadable' : ed25519KeyId(key);
  return new RollgateError(
    'SIGNING_KEY_MISSING',
    `The private signing key ${privatePath} is missing, but its public key ${publicPath} (key id ${id}) is there. Nothing was generated or written: a new key pair would make every verification signed with key ${id} unverifiable, and every rollback to those artifacts would halt. Restore ${privatePath} from a backup (mode 0600); only to start over on purpose, move ${publicPath} away and record the verified artifacts again (rollgate artifacts record).`,
    { component: COMPONENT, details: { keyId: id } },
  );
}

function tryPublicKey(pem: string): KeyObject | null {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

/**
 * Writes a new private key without ever replacing one (creating `keyDir` with mode 0700 when
 * missing): the file is completed and synced under a temporary name, then hard-linked into place, which fails if another process won the race (its
 * key is then used).
 */
function createPrivateKeyFile(keyDir: string, privatePath: string): void {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const temp = join(keyDir, `.${ED25519_PRIVATE_KEY_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    mkdirSync(keyDir, { recursive: true, mode: 0o700 });
    writeSyncFile(temp, pem, 0o600);
    try {
      linkSync(temp, privatePath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    syncDirectory(keyDir);
  } catch (error) {
    throw configError(
      `keyDir: cannot write a new key pair in ${keyDir} (${errnoOf(error)}); create the directory and make it writable.`,
      error,
    );
  } finally {
    rmSync(temp, { force: true });
  }
}

function checkPrivateKeyMode(path: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw configError(
      `keyDir: the private key ${path} is readable by other users (mode ${mode.toString(8)}); run chmod 600 on it.`,
    );
  }
}

function writeSyncAtomic(path: string, data: string, mode: number): void {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeSyncFile(temp, data, mode);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw configError(`keyDir: cannot write the public key file ${path} (${errnoOf(error)}).`, error);
  }
}

function writeSyncFile(path: string, data: string, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw configError(`keyDir: cannot read ${path} (${errnoOf(error)}); check its permissions.`, error);
  }
}

function parsePrivateKey(pem: string, option: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    // The parser's message can quote the input: leave it out so no key material leaks.
    throw configError(`${option}: not a readable PEM private key; give a PKCS#8 Ed25519 key.`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw configError(
      `${option}: expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'an unknown type'}.`,
    );
  }
  return key;
}

function parsePublicKey(pem: string, option: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw configError(`${option}: not a readable PEM public key; give an SPKI Ed25519 key.`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw configError(
      `${option}: expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'an unknown type'}.`,
    );
  }
  return key;
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
}

function configError(message: string, cause?: unknown): RollgateError {
  return new RollgateError(
    'CONFIG_INVALID',
    message,
    cause === undefined ? { component: COMPONENT } : { component: COMPONENT, cause },
  );
}
