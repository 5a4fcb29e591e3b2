import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCommand } from '../../src/run-command';

// Every TypeScript snippet of README.md, docs/ and the package READMEs, type-checked against the
// installed tarballs (skipLibCheck: false, node16 and bundler), and run when marked ```ts run.
const prepared = inject('packaging');

describe.each(prepared.snippets)('the snippet at $doc:$line', (snippet) => {
  it('type-checks under node16 and bundler module resolution', () => {
    for (const check of [prepared.tsc.node16, prepared.tsc.bundler]) {
      const errors = check.stdout
        .split('\n')
        .filter((line) => line.startsWith(snippet.file))
        // tsc counts lines of the snippet file; the fence's first line is the snippet's line 1.
        .map((line) =>
          line.replace(
            /^[^(]+\((\d+),(\d+)\)/,
            (_, l: string, c: string) => `${snippet.doc}:${snippet.line + Number(l)}:${c}`,
          ),
        );
      expect(errors).toEqual([]);
    }
  });

  if (!snippet.run) return;
  it('runs offline to completion', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'rollgate-snippet-'));
    try {
      const compiled = join(prepared.full, 'out', snippet.file.replace(/\.ts$/, '.js'));
      const result = runCommand(process.execPath, [compiled], { cwd, timeoutMs: 300_000 });
      expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
