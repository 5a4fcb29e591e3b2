import type { z } from 'zod';

/** At most this many issues are listed per file; the rest are counted. */
export const MAX_ISSUES_PER_FILE = 20;

/** Renders a path as `series.errors[12]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return issue.message.startsWith('Invalid')
        ? `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`
        : issue.message;
    case 'invalid_type':
      // `input` is present because the schemas are parsed with `reportInput: true`.
      if (issue.input === undefined) return `missing: ${issue.message.replace(/^Invalid input: /, '')}`;
      return issue.message.replace(/^Invalid input: /, '');
    default:
      return issue.message;
  }
}

/**
 * One line per zod issue, `fileName: path: what is wrong`, capped at `MAX_ISSUES_PER_FILE`
 * lines plus a count of the rest, so a file with thousands of bad entries stays readable.
 */
export function formatIssues(fileName: string, error: z.ZodError): string[] {
  const lines = error.issues
    .slice(0, MAX_ISSUES_PER_FILE)
    .map((i) => `${fileName}: ${formatIssuePath(i.path)}: ${describe(i)}`);
  const rest = error.issues.length - MAX_ISSUES_PER_FILE;
  if (rest > 0) lines.push(`${fileName}: ... and ${rest} more issue${rest > 1 ? 's' : ''}`);
  return lines;
}
