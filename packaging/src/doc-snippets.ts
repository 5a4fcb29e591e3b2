import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PACKAGES_DIR, REPO_ROOT } from './workspace-packages';

/** One fenced code block of the documentation. */
export interface Snippet {
  /** The Markdown file, relative to the repository root. */
  readonly doc: string;
  /** The line of the opening fence (1-based). */
  readonly line: number;
  /** `ts`, `yaml`, `json`, `sh` or another language word (`text` and none are not code). */
  readonly lang: string;
  /** ```` ```ts run ````: the snippet runs offline, and the test runs it. */
  readonly run: boolean;
  readonly code: string;
}

const LANGS: Readonly<Record<string, string>> = { typescript: 'ts', yml: 'yaml', bash: 'sh', shell: 'sh' };

/** Every Markdown file a user reads: README.md, docs/ (recursively), and each package's README. */
export function docFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? walk(join(dir, entry.name))
        : entry.name.endsWith('.md')
          ? [join(dir, entry.name)]
          : [],
    );
  const packageReadmes = readdirSync(PACKAGES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(PACKAGES_DIR, entry.name, 'README.md'))
    .filter((file) => {
      try {
        readFileSync(file);
        return true;
      } catch {
        return false;
      }
    });
  return [join(REPO_ROOT, 'README.md'), ...walk(join(REPO_ROOT, 'docs')), ...packageReadmes]
    .map((file) => relative(REPO_ROOT, file))
    .sort();
}

/** The fenced code blocks of one Markdown text. */
export function extractSnippets(text: string, doc: string): Snippet[] {
  const out: Snippet[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*([\w-]*)\s*(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const fence = open[1] ?? '```';
    const word = (open[2] ?? '').toLowerCase();
    const lang = LANGS[word] ?? word;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j] ?? '').startsWith(fence)) body.push(lines[j++] ?? '');
    out.push({ doc, line: i + 1, lang, run: /\brun\b/.test(open[3] ?? ''), code: `${body.join('\n')}\n` });
    i = j;
  }
  return out;
}

/** Every snippet of every documentation file. */
export function allSnippets(): Snippet[] {
  return docFiles().flatMap((doc) => extractSnippets(readFileSync(join(REPO_ROOT, doc), 'utf8'), doc));
}

/** A file name for a snippet inside a project: `docs__stores.md__L42.ts`. */
export function snippetFileName(snippet: Snippet, extension: string): string {
  return `${snippet.doc.replaceAll('/', '__')}__L${snippet.line}.${extension}`;
}
