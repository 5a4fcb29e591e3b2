import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as scenarios from '../../src/scenarios';
import * as simulation from '../../src/simulation';
import * as testing from '../../src/testing';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Every package a module reaches through relative imports, its own files followed. */
function packagesReached(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(?:import|export)(?!\s+type\b)[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
      const target = match[1] ?? '';
      if (target.startsWith('.')) {
        const path = resolve(dirname(file), target);
        visit(path.endsWith('.ts') ? path : (readable(`${path}.ts`) ?? join(path, 'index.ts')));
      } else packages.add(target);
    }
  };
  visit(join(SRC, entry));
  return packages;
}

function readable(file: string): string | undefined {
  try {
    readFileSync(file);
    return file;
  } catch {
    return undefined;
  }
}

describe('the simulation and scenarios entry points', () => {
  it('export the very objects @rollgate/core/testing exports (one SimulatedClock class)', () => {
    const fromSimulation: Record<string, unknown> = { ...simulation };
    const fromTesting: Record<string, unknown> = { ...testing };
    expect(Object.keys(fromSimulation)).toContain('SimulatedClock');
    for (const [name, value] of Object.entries(fromSimulation)) expect(fromTesting[name], name).toBe(value);
  });

  it('reach neither fast-check nor node: modules, so the CLI can run scenarios without test packages', () => {
    for (const entry of ['simulation/index.ts', 'scenarios/index.ts']) {
      const reached = [...packagesReached(entry)];
      expect(
        reached.filter((p) => p === 'fast-check' || p.startsWith('node:')),
        entry,
      ).toEqual([]);
    }
    expect(packagesReached('testing/index.ts').has('fast-check')).toBe(true);
    expect(typeof scenarios.replayScenario).toBe('function');
  });
});
