import { formatPath, RollgateError } from '@rollgate/core';
import type { FilePosition, Locator } from './yaml-locator';

/** One thing wrong with a configuration file: the field, and what is wrong and what to write. */
export interface ConfigProblem {
  /** The field's path in the file, e.g. `['sources', 'prom', 'url']`. */
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** Point at the field's name rather than its value (a field that should not be there). */
  readonly atKey?: boolean;
}

/** A problem with its place in the file, as `config check --json` prints it. */
export interface LocatedProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** `sources.prom.url`, `notify[0].url`, `(root)`. */
  readonly field: string;
  readonly message: string;
}

/** The footer of every list of schema problems. */
export const FIX_FOOTER =
  'Fix the fields above: https://github.com/rollgate/rollgate/blob/main/docs/config.md describes every field, and `rollgate init` writes a commented example.';

/** Places each problem in the file, drops repeats, and orders them as they appear in it. */
export function locateProblems(
  problems: readonly ConfigProblem[],
  file: string,
  locate: Locator,
): LocatedProblem[] {
  const seen = new Set<string>();
  const located: (LocatedProblem & { order: number })[] = [];
  problems.forEach((p, order) => {
    const field = formatPath(p.path);
    const key = `${field}\u0000${p.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    const at: FilePosition = locate(p.path, { key: p.atKey === true });
    located.push({ file, line: at.line, column: at.column, field, message: p.message, order });
  });
  return located
    .sort((a, b) => a.line - b.line || a.column - b.column || a.order - b.order)
    .map(({ order: _order, ...rest }) => rest);
}

/** `rollgate.yaml:9:11: sources.prom.type: expected one of ...`. */
export function problemLine(p: LocatedProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.field}: ${p.message}`;
}

/**
 * The `CONFIG_INVALID` error for a list of problems: every one on its own line with its place,
 * and `details.problems` holding them as data; `cause` is the zod error, when there is one. No
 * value from the file is ever quoted.
 */
export function configInvalid(
  file: string,
  headline: string,
  problems: readonly LocatedProblem[],
  footer: string = FIX_FOOTER,
  cause?: unknown,
): RollgateError {
  return new RollgateError(
    'CONFIG_INVALID',
    `${headline}\n${problems.map((p) => `  - ${problemLine(p)}`).join('\n')}${footer ? `\n${footer}` : ''}`,
    { component: 'cli-config', details: { file, problems }, ...(cause === undefined ? {} : { cause }) },
  );
}
