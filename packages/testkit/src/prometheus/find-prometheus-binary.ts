import { delimiter, join } from 'node:path';
import { isExecutableFile } from '../binaries/executable-file';

/** How to get a Prometheus binary, repeated in every "not found" error. */
export const PROMETHEUS_INSTALL_HINT =
  'Install it with `apt-get install -y prometheus` (Debian/Ubuntu), or run `bash scripts/setup.sh` ' +
  'from the repository root, or download a release from https://prometheus.io/download/ and put ' +
  '`prometheus` on PATH.';

/** Where {@link findPrometheusBinary} looks. Every field is optional; defaults are the real host. */
export interface FindPrometheusBinaryOptions {
  /** An explicit path; when given it must exist, and nothing else is searched. */
  readonly binary?: string;
  /** The PATH to search (default `process.env.PATH`). */
  readonly path?: string;
  /** Absolute paths tried after PATH (default `/usr/bin/prometheus`, `/usr/local/bin/prometheus`). */
  readonly fallbacks?: readonly string[];
}

const DEFAULT_FALLBACKS = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'];

/**
 * Locates the `prometheus` binary: an explicit path, then every PATH directory, then the
 * fallbacks. Throws an Error whose message says how to install Prometheus, so a test that needs
 * a real Prometheus fails with the fix instead of skipping.
 */
export function findPrometheusBinary(options: FindPrometheusBinaryOptions = {}): string {
  if (options.binary !== undefined) {
    if (isExecutableFile(options.binary)) return options.binary;
    throw new Error(
      `Prometheus binary not found or not executable at ${options.binary}. ${PROMETHEUS_INSTALL_HINT}`,
    );
  }
  const searchPath = options.path ?? process.env.PATH ?? '';
  const candidates = [
    ...searchPath
      .split(delimiter)
      .filter((dir) => dir.length > 0)
      .map((dir) => join(dir, 'prometheus')),
    ...(options.fallbacks ?? DEFAULT_FALLBACKS),
  ];
  for (const candidate of candidates) {
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new Error(
    `Prometheus binary not found on PATH or in ${(options.fallbacks ?? DEFAULT_FALLBACKS).join(', ')}. ${PROMETHEUS_INSTALL_HINT}`,
  );
}
