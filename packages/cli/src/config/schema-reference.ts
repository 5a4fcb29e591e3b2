import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_SCHEMA_FILE } from './config-json-schema';

/**
 * The `$schema` path `rollgate init` writes for a configuration file at `configFile`, relative
 * to it: the schema of the @rollgate/cli installed in the project's node_modules when there is
 * one (a path that stays right across upgrades), else the schema shipped with this CLI.
 */
export function schemaReference(configFile: string): string {
  const from = dirname(configFile);
  for (let dir = from; ; dir = dirname(dir)) {
    const installed = join(dir, 'node_modules', '@rollgate', 'cli', CONFIG_SCHEMA_FILE);
    if (existsSync(installed)) return relativePath(from, installed);
    if (dirname(dir) === dir) break;
  }
  return relativePath(from, join(ownPackageDir(), CONFIG_SCHEMA_FILE));
}

/** The directory of this CLI's package.json (src/ when run from source, dist/ once built). */
function ownPackageDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === '@rollgate/cli')
          return dir;
      } catch {
        // Not ours: keep looking upwards.
      }
    }
    if (dirname(dir) === dir) throw new Error('the @rollgate/cli package.json was not found');
    dir = dirname(dir);
  }
}

function relativePath(from: string, to: string): string {
  const path = relative(from, to).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}
