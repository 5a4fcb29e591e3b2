import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's root folder. */
export const REPO_ROOT: string = join(import.meta.dirname, '..', '..');

/** Where every published package lives: one folder each under `packages/`. */
export const PACKAGES_DIR: string = join(REPO_ROOT, 'packages');

/** The GitHub repository every package's `repository`, `homepage` and README links point at. */
export const REPOSITORY_URL = 'https://github.com/rollgate/rollgate';

/** An `exports` target: a path, `null` (blocked), or conditions. */
export type ExportTarget = string | null | { readonly [condition: string]: ExportTarget };

/** The parts of a package manifest the checks read. */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly description?: string;
  readonly license?: string;
  readonly type?: string;
  readonly sideEffects?: boolean;
  readonly engines?: Readonly<Record<string, string>>;
  readonly homepage?: string;
  readonly repository?: { readonly type: string; readonly url: string; readonly directory: string };
  readonly exports?: Readonly<Record<string, ExportTarget>>;
  readonly publishConfig?: {
    readonly access?: string;
    readonly exports?: Readonly<Record<string, ExportTarget>>;
  };
  readonly files?: readonly string[];
  readonly bin?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

/** One published package of the workspace. */
export interface WorkspacePackage {
  /** The folder name under `packages/`, e.g. `core`. */
  readonly folder: string;
  readonly dir: string;
  readonly manifest: Manifest;
}

/**
 * Every package under `packages/` that is published (not `private`), by folder name. New
 * packages are found here without being listed anywhere, so every check covers them.
 */
export function publishedPackages(): WorkspacePackage[] {
  return readdirSync(PACKAGES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(PACKAGES_DIR, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(PACKAGES_DIR, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
      return { folder: entry.name, dir, manifest };
    })
    .filter((p) => p.manifest.private !== true)
    .sort((a, b) => a.folder.localeCompare(b.folder));
}

/** The subpaths a published manifest exports as modules (not `./package.json`, not blocked ones). */
export function moduleSubpaths(exports: Readonly<Record<string, ExportTarget>> | undefined): string[] {
  return Object.entries(exports ?? {})
    .filter(
      ([subpath, target]) =>
        target !== null &&
        subpath !== './package.json' &&
        !subpath.includes('*') &&
        // A data file (the CLI's JSON Schema) is exported as is, not built as a module.
        !(typeof target === 'string' && target.endsWith('.json')),
    )
    .map(([subpath]) => subpath);
}

/** The specifier a user imports for `subpath` of `name` (`@rollgate/core`, `@rollgate/core/node`). */
export function specifier(name: string, subpath: string): string {
  return subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
}

/** Every file path an `exports` target points at, through all conditions. */
export function exportedFiles(target: ExportTarget): string[] {
  if (target === null) return [];
  if (typeof target === 'string') return [target];
  return Object.values(target).flatMap(exportedFiles);
}

/** Every condition name used anywhere in an `exports` map. */
export function exportConditions(exports: Readonly<Record<string, ExportTarget>> | undefined): string[] {
  const out = new Set<string>();
  const visit = (target: ExportTarget): void => {
    if (target === null || typeof target === 'string') return;
    for (const [condition, inner] of Object.entries(target)) {
      out.add(condition);
      visit(inner);
    }
  };
  for (const target of Object.values(exports ?? {})) visit(target);
  return [...out].sort();
}
