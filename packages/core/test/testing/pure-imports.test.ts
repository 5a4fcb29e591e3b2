import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The in-memory fakes share pure rules with the file stores (retention, state keys, audit
// validation) that live under src/node. test/purity.test.ts skips src/node, so this follows
// every import of the fakes and applies the same checks to whatever they reach.
const SRC = join(import.meta.dirname, '..', '..', 'src');
const ROOTS = [
  'testing/memory-state-store.ts',
  'testing/memory-audit-sink.ts',
  'testing/memory-artifact-store.ts',
  'testing/memory-faults.ts',
  'testing/recording-notifier.ts',
  'testing/test-signer.ts',
];
const FORBIDDEN: readonly [RegExp, string][] = [
  [/from\s+['"]node:/, 'a node: import'],
  [/require\(/, 'require()'],
  [/\bDate\.now\s*\(/, 'Date.now()'],
  [/new\s+Date\s*\(\s*\)/, 'new Date() without an argument'],
  [/\bMath\.random\s*\(/, 'Math.random()'],
  [/\bprocess\./, 'process'],
];
// Biome's noRestrictedGlobals catches host timers and fetch everywhere in src except src/node,
// so for the shared rules under src/node this test checks them too.
const FORBIDDEN_UNDER_NODE: readonly [RegExp, string][] = [
  [/(?<![.\w])(setTimeout|setInterval|clearTimeout|fetch)\s*\(/, 'a host timer or fetch'],
];

function reachable(): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/from\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), match[1] ?? '');
      visit(target.endsWith('.ts') ? target : `${target}.ts`);
    }
  };
  for (const root of ROOTS) visit(join(SRC, root));
  return [...seen];
}

describe('the in-memory fakes stay pure through everything they import', () => {
  const files = reachable();
  it('reaches the shared store rules and nothing under src/node', () => {
    const names = files.map((f) => relative(SRC, f));
    expect(names).toEqual(
      expect.arrayContaining([
        'artifacts/artifact-retention.ts',
        'stores/state-key.ts',
        'audit/audit-validation.ts',
      ]),
    );
    expect(names.filter((n) => n.startsWith('node/'))).toEqual([]);
  });
  for (const file of files) {
    it(`${relative(SRC, file)} does no I/O and reads no host time`, () => {
      const text = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      const rules = relative(SRC, file).startsWith('node')
        ? [...FORBIDDEN, ...FORBIDDEN_UNDER_NODE]
        : FORBIDDEN;
      expect(rules.filter(([re]) => re.test(text)).map(([, what]) => what)).toEqual([]);
    });
  }
});
