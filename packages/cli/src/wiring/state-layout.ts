import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ArtifactStore,
  type AuditSink,
  RollgateError,
  type Signer,
  type StateStore,
  type WatchLease,
} from '@rollgate/core';
import {
  createEd25519Signer,
  createFileArtifactStore,
  createFileAuditSink,
  createFileStateStore,
  createFileWatchLease,
  createHmacSigner,
  ED25519_PRIVATE_KEY_FILE,
  ED25519_PUBLIC_KEY_FILE,
} from '@rollgate/core/node';
import type { StateConfig } from '../config/config-schema';
import { loadAdapter } from './load-adapter';

/** The PostgreSQL store, an optional peer of the CLI: a one-line install hint when it is missing. */
const loadPostgresStore = () =>
  loadAdapter('@rollgate/postgres-store', 'state.type: postgres', () => import('@rollgate/postgres-store'));

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
  /** The watch leases of the file stores (one per service). */
  readonly leases: string;
}

/** The file layout of a state directory. */
export function statePaths(state: StateConfig): StatePaths {
  return {
    dir: state.dir,
    snapshots: join(state.dir, 'snapshots'),
    audit: join(state.dir, 'audit.jsonl'),
    artifacts: join(state.dir, 'artifacts.json'),
    leases: join(state.dir, 'leases'),
    keys:
      state.signing.type === 'ed25519' && state.signing.keyDir !== undefined
        ? state.signing.keyDir
        : join(state.dir, 'keys'),
  };
}

/** The stores a watch writes to, and the lease that makes it the only watch of its service. */
export interface Stores {
  readonly type: StateConfig['type'];
  /** Where state lives, for messages: the directory, or the database URL without its password. */
  readonly where: {
    readonly state: string;
    readonly snapshots: string;
    readonly audit: string;
    readonly artifacts: string;
  };
  readonly state: StateStore;
  readonly audit: AuditSink;
  readonly artifacts: ArtifactStore;
  readonly lease: WatchLease;
  /** Closes what the stores hold open (the database pool). */
  close(): Promise<void>;
}

/** Default lease durations: a file lease is taken over at once when its process died. */
const FILE_LEASE_SECONDS = 30;
const POSTGRES_LEASE_SECONDS = 15;

/**
 * The stores of a watch: the file stores in `state.dir` (with a file lease in `dir/leases`), or
 * the PostgreSQL stores (`type: postgres`; the driver is loaded only then). With Ed25519 signing,
 * a key pair is generated in the key directory on first use (private key mode 0600) unless the
 * private key is configured. `onWarning` receives non-fatal problems (a torn audit line).
 */
export async function openStores(state: StateConfig, onWarning: (message: string) => void): Promise<Stores> {
  const paths = statePaths(state);
  const signer = signerFor(state, paths, 'sign');
  if (state.type === 'postgres') {
    const { openPostgresStores, parseConnectionTarget } = await loadPostgresStore();
    const display = parseConnectionTarget(state.url, 'state.url').display;
    const schema = state.schema ?? 'rollgate';
    const stores = openPostgresStores({
      url: state.url as string,
      schema,
      signer,
      keep: state.keep,
      leaseTtlMs: (state.leaseSeconds ?? POSTGRES_LEASE_SECONDS) * 1000,
      ...(state.migrations === undefined ? {} : { migrations: state.migrations }),
    });
    return {
      type: 'postgres',
      where: {
        state: `${display} (schema ${schema})`,
        snapshots: `${display} (table ${schema}.state)`,
        audit: `${display} (table ${schema}.audit)`,
        artifacts: `${display} (table ${schema}.artifacts)`,
      },
      state: stores.state,
      audit: stores.audit,
      artifacts: stores.artifacts,
      lease: stores.lease,
      close: () => stores.close(),
    };
  }
  return {
    type: 'files',
    where: { state: paths.dir, snapshots: paths.snapshots, audit: paths.audit, artifacts: paths.artifacts },
    state: createFileStateStore({ dir: paths.snapshots, leaseDir: paths.leases }),
    audit: createFileAuditSink({ path: paths.audit, onWarning }),
    artifacts: createFileArtifactStore({ path: paths.artifacts, signer, keep: state.keep }),
    lease: createFileWatchLease({
      dir: paths.leases,
      ttlMs: (state.leaseSeconds ?? FILE_LEASE_SECONDS) * 1000,
    }),
    close: async () => {},
  };
}

/**
 * The state store alone (snapshots, human requests, the rollback guard): what `rollgate status`
 * and `promote|abort|retry` read and write. It creates no signing key and takes no lease.
 */
export async function openStateStore(state: StateConfig): Promise<{
  readonly store: StateStore;
  readonly where: string;
  close(): Promise<void>;
}> {
  if (state.type === 'postgres') {
    const { createPostgresDatabase, createPostgresStateStore } = await loadPostgresStore();
    const schema = state.schema ?? 'rollgate';
    const db = createPostgresDatabase({
      url: state.url as string,
      schema,
      ...(state.migrations === undefined ? {} : { migrations: state.migrations }),
    });
    return {
      store: createPostgresStateStore({ db }),
      where: `${db.display} (table ${schema}.state)`,
      close: () => db.close(),
    };
  }
  const paths = statePaths(state);
  return {
    store: createFileStateStore({ dir: paths.snapshots, leaseDir: paths.leases }),
    where: paths.snapshots,
    close: async () => {},
  };
}

/**
 * The artifact store alone (for `rollgate artifacts`), and the services it holds records of.
 * `verify` mode never creates a signing key.
 */
export async function openArtifactStore(
  state: StateConfig,
  mode: 'sign' | 'verify',
): Promise<{
  readonly store: ArtifactStore;
  readonly where: string;
  services(): Promise<string[]>;
  close(): Promise<void>;
}> {
  const paths = statePaths(state);
  const signer = signerFor(state, paths, mode);
  if (state.type === 'postgres') {
    const { createPostgresArtifactStore, createPostgresDatabase, listArtifactServices } =
      await loadPostgresStore();
    const schema = state.schema ?? 'rollgate';
    const db = createPostgresDatabase({
      url: state.url as string,
      schema,
      ...(state.migrations === undefined ? {} : { migrations: state.migrations }),
    });
    return {
      store: createPostgresArtifactStore({ db, signer, keep: state.keep }),
      where: `${db.display} (table ${schema}.artifacts)`,
      async services() {
        const listed = await listArtifactServices(db, {
          signal: new AbortController().signal,
          deadline: Date.now() + 30_000,
        });
        if (!listed.ok) throw listed.error;
        return [...listed.value];
      },
      close: () => db.close(),
    };
  }
  return {
    store: createFileArtifactStore({ path: paths.artifacts, signer, keep: state.keep }),
    where: paths.artifacts,
    services: () => servicesInFile(paths.artifacts),
    close: async () => {},
  };
}

/** Every service with a record in the artifact store file, in first-seen order. */
async function servicesInFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new RollgateError(
      'STORE_FAILED',
      `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
      { component: 'cli-artifacts' },
    );
  }
  try {
    const doc = JSON.parse(text) as { records?: { service?: unknown }[] };
    return [
      ...new Set((doc.records ?? []).map((r) => r.service).filter((s): s is string => typeof s === 'string')),
    ];
  } catch {
    // The store reports the corruption itself, with its own message, on the first list.
    return [''];
  }
}

/**
 * The signer of a state directory. `verify` mode never creates a key: with only the public key
 * present it verifies, and with no key at all it is `CONFIG_INVALID` (nothing could be checked).
 */
export function signerFor(state: StateConfig, paths: StatePaths, mode: 'sign' | 'verify'): Signer {
  const signing = state.signing;
  if (signing.type === 'hmac') {
    return createHmacSigner({
      secret: signing.secret,
      ...(signing.keyId === undefined ? {} : { keyId: signing.keyId }),
    });
  }
  const trusted =
    signing.trustedPublicKeys === undefined ? {} : { trustedPublicKeys: signing.trustedPublicKeys };
  if (signing.privateKey !== undefined) {
    // The key from a secret (CI): nothing is read from or written to a key directory.
    return createEd25519Signer({ privateKeyPem: signing.privateKey, ...trusted });
  }
  if (mode === 'verify' && !existsSync(join(paths.keys, ED25519_PRIVATE_KEY_FILE))) {
    const publicFile = join(paths.keys, ED25519_PUBLIC_KEY_FILE);
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
