import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Core is pure: no I/O, no host clock, no randomness. The node entry point (src/node) is the
// one place allowed to touch the host. tsconfig.json compiles the rest with no Node types, and
// this test catches what a type check cannot (Date.now and Math.random exist in plain ES).
// Host timers and fetch are caught by Biome's scope-aware noRestrictedGlobals (biome.json).
const SRC = join(import.meta.dirname, '..', 'src');
const FORBIDDEN: readonly [RegExp, string][] = [
  [/from\s+['"]node:/, 'a node: import'],
  [/require\(/, 'require()'],
  [/\bDate\.now\s*\(/, 'Date.now()'],
  [/new\s+Date\s*\(\s*\)/, 'new Date() without an argument'],
  [/\bMath\.random\s*\(/, 'Math.random()'],
  [/\bperformance\.now\s*\(/, 'performance.now()'],
  [/\bprocess\./, 'process'],
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node' && dir === SRC ? [] : files(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('core purity', () => {
  it('has pure sources to check', () => {
    expect(files(SRC).length).toBeGreaterThan(5);
  });

  for (const file of files(SRC)) {
    it(`${relative(SRC, file)} does no I/O and reads time only through the Clock`, () => {
      const text = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      const found = FORBIDDEN.filter(([re]) => re.test(text)).map(([, what]) => what);
      expect(found).toEqual([]);
    });
  }
});
