import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** The first ```ts block after `heading` in a markdown file. */
function codeBlockAfter(markdown: string, heading: string): string {
  const start = markdown.indexOf(heading);
  expect(start, `${heading} not found`).toBeGreaterThanOrEqual(0);
  const block = /```ts\n([\s\S]*?)```/.exec(markdown.slice(start));
  expect(block, `no ts code block after ${heading}`).not.toBeNull();
  return block?.[1] ?? '';
}

describe('the embedding example', () => {
  // The file is type-checked with the workspace (pnpm typecheck); these copies must not drift.
  const source = read('examples/src/embedding/embed.ts').replace(/^\/\/ .*\n/, '');

  it('appears verbatim in the README', () => {
    expect(codeBlockAfter(read('README.md'), '## Embedding the core')).toBe(source);
  });

  it('appears verbatim in docs/architecture.md', () => {
    expect(codeBlockAfter(read('docs/architecture.md'), '## Embedding')).toBe(source);
  });

  it('stays about twenty lines of wiring', () => {
    const lines = source.trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(40);
    expect(source).toContain('createController(');
    expect(source).toContain('controller.watch(');
  });
});
