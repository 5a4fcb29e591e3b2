import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ArtifactStore,
  type AuditSink,
  RollgateError,
  type Signer,
  type StateStore,
} from '@rollgate/core';
import {
  createEd25519Signer,
  createFileArtifactStore,
  createFileAuditSink,
  createFileStateStore,
  createHmacSigner,
  ED25519_PRIVATE_KEY_FILE,
  ED25519_PUBLIC_KEY_FILE,
  type Redact,
  redactingArtifactStore,
  redactingAuditSink,
  redactingStateStore,
} from '@rollgate/core/node';
import type { StateConfig } from '../config/config-schema';

/** Where each file store lives inside `state.dir`. */
export interface StatePaths {
  readonly dir: string;
  /** One JSON file per watch snapshot (and the per-service rollback guard). */
  readonly snapshots: string;
  /** One audit record per line. */
  readonly audit: string;
  /** Signed verifications of artifacts. */
  readonly artifacts: string;
  /** The Ed25519 key pair (unless `state.signing.keyDir` points elsewhere). */
  readonly keys: string;
}

/** The file layout of a state directory. */
export function statePaths(state: StateConfig): StatePaths {
  return {
    dir: state.dir,
    snapshots: join(state.dir, 'snapshots'),
    audit: join(state.dir, 'audit.jsonl'),
    artifacts: join(state.dir, 'artifacts.json'),
    keys:
      state.signing.type === 'ed25519' && state.signing.keyDir !== undefined
        ? state.signing.keyDir
        : join(state.dir, 'keys'),
  };
}

/** The file stores a watch writes to. */
export interface FileStores {
  readonly paths: StatePaths;
  readonly state: StateStore;
  readonly audit: AuditSink;
  readonly artifacts: ArtifactStore;
}

/**
 * The stores of a watch. With Ed25519 signing, a key pair is generated in the key directory on
 * first use (private key mode 0600), never in a dry run. `onWarning` receives non-fatal problems (a torn audit line).
 * Everything written goes through `redact` (the configuration's secrets): no snapshot, audit
 * record or verification record holds a secret, even one a proxy echoed into an error.
 */
export function openStores(
  state: StateConfig,
  onWarning: (message: string) => void,
  redact: Redact = (text) => text,
  options: { readonly dryRun?: boolean } = {},
): FileStores {
  const paths = statePaths(state);
  // A dry run records no verification, so it never creates or writes a key.
  const signer = signerFor(state, paths, options.dryRun ? 'dry-run' : 'sign');
  return {
    paths,
    state: redactingStateStore(createFileStateStore({ dir: paths.snapshots }), redact),
    audit: redactingAuditSink(createFileAuditSink({ path: paths.audit, onWarning }), redact),
    artifacts: redactingArtifactStore(
      createFileArtifactStore({ path: paths.artifacts, signer, keep: state.keep }),
      redact,
    ),
  };
}

/**
 * Why the state directory's Ed25519 key cannot sign, when its private key is missing but its
 * public key is there (a lost key: `SIGNING_KEY_MISSING`); null when signing is possible or
 * no key exists yet. Commands that only verify still work, and say this.
 */
export function missingSigningKey(state: StateConfig, paths: StatePaths): RollgateError | null {
  if (state.signing.type !== 'ed25519') return null;
  if (existsSync(join(paths.keys, ED25519_PRIVATE_KEY_FILE))) return null;
  if (!existsSync(join(paths.keys, ED25519_PUBLIC_KEY_FILE))) return null;
  try {
    createEd25519Signer({ keyDir: paths.keys });
    return null;
  } catch (error) {
    if (RollgateError.is(error) && error.code === 'SIGNING_KEY_MISSING') return error;
    throw error;
  }
}

/**
 * The signer of a state directory. `verify` and `dry-run` modes never create or write a key:
 * with only the public key present they verify. With no key at all, `verify` is
 * `CONFIG_INVALID` (nothing could be checked) and `dry-run` gets a key that exists only in
 * memory (nothing here was ever signed, and a dry run records no verification). `sign` loads
 * the pair, generating one only when neither half exists (`SIGNING_KEY_MISSING` when the
 * private key was lost).
 */
export function signerFor(
  state: StateConfig,
  paths: StatePaths,
  mode: 'sign' | 'verify' | 'dry-run',
): Signer {
  const signing = state.signing;
  if (signing.type === 'hmac') {
    return createHmacSigner({
      secret: signing.secret,
      ...(signing.keyId === undefined ? {} : { keyId: signing.keyId }),
    });
  }
  const trusted =
    signing.trustedPublicKeys === undefined ? {} : { trustedPublicKeys: signing.trustedPublicKeys };
  const privateFile = join(paths.keys, ED25519_PRIVATE_KEY_FILE);
  if (mode === 'dry-run' && existsSync(privateFile)) {
    return createEd25519Signer({ privateKeyPem: readFileSync(privateFile, 'utf8'), ...trusted });
  }
  if (mode !== 'sign' && !existsSync(privateFile)) {
    const publicFile = join(paths.keys, ED25519_PUBLIC_KEY_FILE);
    if (!existsSync(publicFile) && mode === 'dry-run') {
      const { privateKey } = generateKeyPairSync('ed25519');
      return createEd25519Signer({
        privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        ...trusted,
      });
    }
    if (!existsSync(publicFile)) {
      throw new RollgateError(
        'CONFIG_INVALID',
        `no signing key in ${paths.keys}: nothing can be verified. Point state.dir (or state.signing.keyDir) at the directory the watches used.`,
        { component: 'cli-state' },
      );
    }
    return createEd25519Signer({ publicKeyPem: readFileSync(publicFile, 'utf8'), ...trusted });
  }
  try {
    mkdirSync(paths.keys, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new RollgateError(
      'CONFIG_INVALID',
      `cannot create the key directory ${paths.keys} (${code}); check state.dir and its permissions.`,
      {
        component: 'cli-state',
      },
    );
  }
  return createEd25519Signer({ keyDir: paths.keys, ...trusted });
}
