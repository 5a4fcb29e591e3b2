import { generateKeyPairSync } from 'node:crypto';
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
  type Redact,
  redactingArtifactStore,
  redactingAuditSink,
  redactingStateStore,
} from '@rollgate/core/node';
import { STATE_STORES } from '../config/adapter-registry';
import type { StateConfig } from '../config/config-schema';
import { loadAdapter } from './load-adapter';

/** The PostgreSQL store, an optional peer of the CLI: a one-line install hint when it is missing. */
const POSTGRES = STATE_STORES.postgres;
const loadPostgresStore = () =>
  loadAdapter(POSTGRES.package, 'state.type: postgres', () => import('@rollgate/postgres-store'));

/** Where each file store lives inside `state.dir`. */
export interface StatePaths {
  readonly dir: string;
  /** One JSON file per StateStore key: each watch's record and snapshot parts (docs/stores.md), the per-service rollback guard. */
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
  /** The file layout (the key directory is used by either store type). */
  readonly paths: StatePaths;
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
 * a key pair is generated in the key directory on first use (private key mode 0600, never in a
 * dry run) unless the private key is configured. `onWarning` receives non-fatal problems (a torn
 * audit line). Everything written goes through `redact` (the configuration's secrets): no
 * snapshot, audit record or verification record holds a secret, even one a proxy echoed into an
 * error.
 */
export async function openStores(
  state: StateConfig,
  onWarning: (message: string) => void,
  redact: Redact = (text) => text,
  options: { readonly dryRun?: boolean } = {},
): Promise<Stores> {
  const paths = statePaths(state);
  // A dry run records no verification, so it never creates or writes a key.
  const signer = signerFor(state, paths, options.dryRun ? 'dry-run' : 'sign');
  if (state.type === 'postgres') {
    const { parseConnectionTarget } = await loadPostgresStore();
    const create = await loadAdapter(POSTGRES.package, 'state.type: postgres', POSTGRES.create);
    const display = parseConnectionTarget(state.url, 'state.url').display;
    const schema = state.schema ?? 'rollgate';
    // The store's own options (its schema's fields) and the host's shared parts.
    const stores = create(
      {
        url: state.url as string,
        ...(state.schema === undefined ? {} : { schema: state.schema }),
        ...(state.migrations === undefined ? {} : { migrations: state.migrations }),
      },
      { signer, keep: state.keep, leaseTtlMs: (state.leaseSeconds ?? POSTGRES_LEASE_SECONDS) * 1000 },
    );
    return {
      type: 'postgres',
      where: {
        state: `${display} (schema ${schema})`,
        snapshots: `${display} (table ${schema}.state)`,
        audit: `${display} (table ${schema}.audit)`,
        artifacts: `${display} (table ${schema}.artifacts)`,
      },
      paths,
      state: redactingStateStore(stores.state, redact),
      audit: redactingAuditSink(stores.audit, redact),
      artifacts: redactingArtifactStore(stores.artifacts, redact),
      lease: stores.lease,
      close: () => stores.close(),
    };
  }
  return {
    type: 'files',
    where: { state: paths.dir, snapshots: paths.snapshots, audit: paths.audit, artifacts: paths.artifacts },
    paths,
    state: redactingStateStore(
      createFileStateStore({ dir: paths.snapshots, leaseDir: paths.leases }),
      redact,
    ),
    audit: redactingAuditSink(createFileAuditSink({ path: paths.audit, onWarning }), redact),
    artifacts: redactingArtifactStore(
      createFileArtifactStore({ path: paths.artifacts, signer, keep: state.keep }),
      redact,
    ),
    lease: createFileWatchLease({
      dir: paths.leases,
      ttlMs: (state.leaseSeconds ?? FILE_LEASE_SECONDS) * 1000,
    }),
    close: async () => {},
  };
}

/** The PostgreSQL database of `state` (the driver loaded only now), the store module and schema. */
async function openPostgresDatabase(state: StateConfig) {
  const pg = await loadPostgresStore();
  const schema = state.schema ?? 'rollgate';
  const db = pg.createPostgresDatabase({
    url: state.url as string,
    schema,
    ...(state.migrations === undefined ? {} : { migrations: state.migrations }),
  });
  return { pg, db, schema };
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
    const { pg, db, schema } = await openPostgresDatabase(state);
    return {
      store: pg.createPostgresStateStore({ db }),
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
    const { pg, db, schema } = await openPostgresDatabase(state);
    return {
      store: pg.createPostgresArtifactStore({ db, signer, keep: state.keep }),
      where: `${db.display} (table ${schema}.artifacts)`,
      async services() {
        const listed = await pg.listArtifactServices(db, {
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
 * Why the state directory's Ed25519 key cannot sign, when its private key is missing but its
 * public key is there (a lost key: `SIGNING_KEY_MISSING`); null when signing is possible or
 * no key exists yet. Commands that only verify still work, and say this.
 */
export function missingSigningKey(state: StateConfig, paths: StatePaths): RollgateError | null {
  if (state.signing.type !== 'ed25519' || state.signing.privateKey !== undefined) return null;
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
  if (signing.privateKey !== undefined) {
    // The key from a secret (CI): nothing is read from or written to a key directory.
    return createEd25519Signer({ privateKeyPem: signing.privateKey, ...trusted });
  }
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
