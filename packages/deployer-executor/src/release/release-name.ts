/**
 * Why `name` cannot be a release name, or undefined when it can. A release name becomes a path
 * segment (`releases/<name>`) and part of an artifact id, so it must stay inside `releases/`
 * and be unambiguous:
 * - not empty, at most 255 bytes (a file name);
 * - no `/`, no `..`, not `.`;
 * - no NUL or other control characters;
 * - no `@`, which separates the release from the revision in an artifact id.
 */
export function releaseNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (Buffer.byteLength(name, 'utf8') > 255) return 'it is longer than 255 bytes';
  if (name === '.') return 'it is "."';
  if (name.includes('/')) return 'it contains "/"';
  if (name.includes('..')) return 'it contains ".."';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains a control character';
  if (name.includes('@')) return 'it contains "@" (the artifact id separator)';
  return undefined;
}

/** True when `name` is a usable release name (see {@link releaseNameProblem}). */
export function isReleaseName(name: string): boolean {
  return releaseNameProblem(name) === undefined;
}

const SHELL_SAFE = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

/**
 * Why a release name cannot be handed to `dep`, or undefined. Deployer interpolates
 * `rollback_candidate` into shell commands on the host (`[ -d releases/$candidate ]`), so in
 * command mode a name must also be made of characters no shell interprets, and must not start
 * with `-` (it would read as an option).
 */
export function commandReleaseNameProblem(name: string): string | undefined {
  const basic = releaseNameProblem(name);
  if (basic !== undefined) return basic;
  if (!SHELL_SAFE.test(name)) {
    return 'command mode accepts only letters, digits and "._+-" (not first), because Deployer puts the name into shell commands';
  }
  return undefined;
}
