import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCommand } from '../../src/run-command';

// A project outside the workspace with every tarball installed, used as a new user would.
const prepared = inject('packaging');
const specifiers = prepared.packages.flatMap((p) => p.specifiers);

/** tsc diagnostics that concern `file` (relative to the project), one per line. */
function errorsIn(output: string, file: string): string[] {
  return output.split('\n').filter((line) => line.startsWith(`${file}(`) || line.startsWith(`${file}:`));
}

describe('installed tarballs, outside the workspace', () => {
  it('exports every entry point it declares', () => {
    expect(specifiers).toEqual(
      expect.arrayContaining([
        '@rollgate/core',
        '@rollgate/core/node',
        '@rollgate/core/simulation',
        '@rollgate/cli',
      ]),
    );
  });

  it('imports every entry point as ESM', () => {
    const script = join(prepared.full, 'esm-imports.mjs');
    writeFileSync(
      script,
      `const out = {};\nfor (const s of ${JSON.stringify(specifiers)}) out[s] = Object.keys(await import(s)).length;\nconsole.log(JSON.stringify(out));\n`,
    );
    const result = runCommand(process.execPath, [script], { cwd: prepared.full, timeoutMs: 300_000 });
    expect(result.status, result.stderr).toBe(0);
    const counts = JSON.parse(result.stdout) as Record<string, number>;
    for (const s of specifiers) expect(counts[s], s).toBeGreaterThan(0);
  });

  it('require()s every entry point from CommonJS (Node >= 20.19 loads ES modules from require)', () => {
    const script = join(prepared.full, 'cjs-require.cjs');
    writeFileSync(
      script,
      `const out = {};\nfor (const s of ${JSON.stringify(specifiers)}) out[s] = Object.keys(require(s)).length;\nconsole.log(JSON.stringify(out));\n`,
    );
    const result = runCommand(process.execPath, [script], { cwd: prepared.full, timeoutMs: 300_000 });
    expect(result.status, result.stderr).toBe(0);
    const counts = JSON.parse(result.stdout) as Record<string, number>;
    for (const s of specifiers) expect(counts[s], s).toBeGreaterThan(0);
    // Loaded from node_modules, require(esm) prints no experimental warning.
    expect(result.stderr).not.toMatch(/ExperimentalWarning/);
  });

  it('type-checks every entry point with skipLibCheck: false under node16 module resolution', () => {
    const { node16 } = prepared.tsc;
    expect(errorsIn(node16.stdout, 'types/entry-points.ts'), node16.stdout).toEqual([]);
    // Errors inside the packages' declarations (or their dependencies') show up under node_modules.
    expect(errorsIn(node16.stdout, 'node_modules').length, node16.stdout).toBe(0);
    expect(
      node16.stdout.split('\n').filter((l) => l.includes('node_modules/')),
      node16.stdout,
    ).toEqual([]);
  });

  it('type-checks every entry point with skipLibCheck: false under bundler module resolution', () => {
    const { bundler } = prepared.tsc;
    expect(errorsIn(bundler.stdout, 'types/entry-points.ts'), bundler.stdout).toEqual([]);
    expect(
      bundler.stdout.split('\n').filter((l) => l.includes('node_modules/')),
      bundler.stdout,
    ).toEqual([]);
  });

  it("type-checks a CommonJS file's require() of every entry point under module nodenext", () => {
    const { nodenext } = prepared.tsc;
    expect(nodenext.status, nodenext.stdout).toBe(0);
  });
});
