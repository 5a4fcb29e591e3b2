import { readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isExecutableFile } from '../binaries/executable-file';

/** How to get PostgreSQL, repeated in every "not found" error. */
export const POSTGRES_INSTALL_HINT =
  'Install it with `apt-get install -y postgresql` (Debian/Ubuntu; the tests start their own server and ' +
  'never use the system service), or run `bash scripts/setup.sh` from the repository root, or point ' +
  'ROLLGATE_POSTGRES_BIN at a directory holding initdb, postgres and pg_isready.';

/** The server binaries {@link findPostgresBinaries} returns. */
export interface PostgresBinaries {
  readonly dir: string;
  readonly initdb: string;
  readonly postgres: string;
  readonly pgIsReady: string;
  readonly createdb: string;
}

/** Where to look. Every field is optional; defaults are the real host. */
export interface FindPostgresBinariesOptions {
  /** An explicit directory; when given it must hold the binaries, and nothing else is searched. */
  readonly binDir?: string;
  /** Default `process.env`; `ROLLGATE_POSTGRES_BIN` there names a directory like `binDir`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Versioned installs to search, newest first (default `/usr/lib/postgresql`). */
  readonly root?: string;
}

const NAMES = {
  initdb: 'initdb',
  postgres: 'postgres',
  pgIsReady: 'pg_isready',
  createdb: 'createdb',
} as const;

function inDir(dir: string): PostgresBinaries | null {
  const found = Object.fromEntries(Object.entries(NAMES).map(([k, name]) => [k, join(dir, name)])) as Record<
    keyof typeof NAMES,
    string
  >;
  return Object.values(found).every(isExecutableFile) ? { dir, ...found } : null;
}

/**
 * Locates PostgreSQL's server binaries: an explicit directory, `$ROLLGATE_POSTGRES_BIN`, the
 * newest `/usr/lib/postgresql/<version>/bin` (where Debian puts them: not on PATH), then PATH.
 * Throws an Error that says how to install PostgreSQL, so a test that needs it fails with the
 * fix instead of skipping.
 */
export function findPostgresBinaries(options: FindPostgresBinariesOptions = {}): PostgresBinaries {
  const env = options.env ?? process.env;
  const explicit = options.binDir ?? env.ROLLGATE_POSTGRES_BIN;
  if (explicit !== undefined && explicit !== '') {
    const found = inDir(explicit);
    if (found) return found;
    throw new Error(
      `PostgreSQL binaries (initdb, postgres, pg_isready, createdb) not found in ${explicit}. ${POSTGRES_INSTALL_HINT}`,
    );
  }
  const root = options.root ?? '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = readdirSync(root)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
  } catch {
    // No versioned install: try PATH.
  }
  for (const version of versions) {
    const found = inDir(join(root, version, 'bin'));
    if (found) return found;
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter((d) => d.length > 0)) {
    const found = inDir(dir);
    if (found) return found;
  }
  throw new Error(
    `PostgreSQL server binaries not found in ${root}/<version>/bin or on PATH. ${POSTGRES_INSTALL_HINT}`,
  );
}
