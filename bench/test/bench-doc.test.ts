import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseBenchDoc, renderBenchDoc, withKeptBlock, withSections } from '../src/bench-doc';

const ORDER = ['engine', 'fleet', 'decision-quality', 'families', 'stores'];
const section = (name: string, text: string) =>
  `<!-- section:begin ${name} (written by \`pnpm bench\`) -->\n\n${text}\n\n<!-- section:end ${name} -->`;
const kept = (name: string, text: string) =>
  `<!-- kept:begin ${name} (by hand) -->\n\n${text}\n\n<!-- kept:end ${name} -->`;

const FILE = [
  '# Benchmarks\n\nintro',
  section('engine', '## Engine\n\nold engine'),
  kept('engine-before-after', '## Before and after\n\nhand table'),
  section('decision-quality', '## Decisions\n\nold decisions'),
  kept('soak', '## Soak\n\nsoak figures'),
].join('\n\n');

describe('docs/benchmarks.md as marked blocks', () => {
  it('round-trips a file unchanged', () => {
    expect(renderBenchDoc(parseBenchDoc(`${FILE}\n`))).toBe(`${FILE}\n`);
  });

  it('re-measuring one module replaces its section only: hand tables, the soak and other sections stay', () => {
    const next = renderBenchDoc(
      withSections(parseBenchDoc(FILE), [{ name: 'engine', text: '## Engine\n\nnew engine' }], ORDER),
    );
    expect(next).toContain('new engine');
    expect(next).not.toContain('old engine');
    for (const text of ['hand table', 'old decisions', 'soak figures', 'intro']) expect(next).toContain(text);
  });

  it('puts a module the file lacks where a full run would, leaving kept blocks beside their sections', () => {
    const doc = withSections(
      parseBenchDoc(FILE),
      [
        { name: 'fleet', text: 'fleet' },
        { name: 'stores', text: 'stores' },
      ],
      ORDER,
    );
    expect(doc.blocks.map((b) => b.name)).toEqual([
      'engine',
      'engine-before-after',
      'fleet',
      'decision-quality',
      'stores',
      'soak',
    ]);
  });

  it('keeps text found outside any block (an older file, a hand edit) where it stands', () => {
    const edited = `${FILE}\n\nA paragraph someone added.\n`;
    const next = renderBenchDoc(withSections(parseBenchDoc(edited), [{ name: 'engine', text: 'x' }], ORDER));
    expect(next).toContain('A paragraph someone added.');
    const legacy = parseBenchDoc('# Benchmarks\n\n## Engine\n\nno markers at all\n');
    expect(renderBenchDoc(withSections(legacy, [{ name: 'engine', text: 'x' }], ORDER))).toContain(
      'no markers at all',
    );
  });

  it('refuses a half-edited file rather than rewriting it', () => {
    expect(() => parseBenchDoc('# B\n\n<!-- section:begin engine -->\n\nrows\n')).toThrow(
      /"engine" has no end marker/,
    );
    expect(() => parseBenchDoc('# B\n\nrows\n\n<!-- kept:end soak -->\n')).toThrow(
      /without its begin marker/,
    );
  });

  it('sets a kept block in place or appends it', () => {
    const doc = withKeptBlock(parseBenchDoc(FILE), 'soak', 'new soak', 'written by the soak');
    expect(doc.blocks.at(-1)).toMatchObject({ kind: 'kept', name: 'soak', text: 'new soak' });
    expect(withKeptBlock(doc, 'other', 'o', 'n').blocks.at(-1)?.name).toBe('other');
  });

  it('the committed docs/benchmarks.md parses, and names each bench module at most once', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const doc = parseBenchDoc(readFileSync(join(root, 'docs', 'benchmarks.md'), 'utf8'));
    const sections = doc.blocks.filter((b) => b.kind === 'section').map((b) => b.name);
    expect(sections.length).toBeGreaterThan(0);
    expect(new Set(sections).size).toBe(sections.length);
    expect(doc.blocks.some((b) => b.kind === 'kept' && b.name === 'soak')).toBe(true);
  });
});
