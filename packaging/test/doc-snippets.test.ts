import { describe, expect, it } from 'vitest';
import { allSnippets, docFiles, extractSnippets } from '../src/doc-snippets';

describe('documentation snippet extraction', () => {
  it('reads fences with their language, line and run flag', () => {
    const text = [
      '# T',
      '',
      '```ts run',
      'const a = 1;',
      '```',
      '',
      '```yml',
      'a: 1',
      '```',
      '```',
      'x',
      '```',
    ];
    expect(extractSnippets(text.join('\n'), 'doc.md')).toEqual([
      { doc: 'doc.md', line: 3, lang: 'ts', run: true, code: 'const a = 1;\n' },
      { doc: 'doc.md', line: 7, lang: 'yaml', run: false, code: 'a: 1\n' },
      { doc: 'doc.md', line: 10, lang: '', run: false, code: 'x\n' },
    ]);
  });

  it('covers README.md, docs/ and every package README', () => {
    const docs = docFiles();
    expect(docs).toContain('README.md');
    expect(docs).toContain('docs/writing-an-adapter.md');
    expect(docs).toContain('packages/core/README.md');
    expect(allSnippets().filter((s) => s.lang === 'ts').length).toBeGreaterThan(15);
  });

  it('has only JSON snippets that parse', () => {
    for (const s of allSnippets().filter((x) => x.lang === 'json'))
      expect(() => JSON.parse(s.code), `${s.doc}:${s.line}`).not.toThrow();
  });

  it('has no snippet that imports a path inside the repository (npm users have none)', () => {
    const relative = allSnippets().filter((s) => s.lang === 'ts' && /from '\.{1,2}\//.test(s.code));
    expect(relative.map((s) => `${s.doc}:${s.line}`)).toEqual([]);
  });
});
