import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE_SCENARIOS_DIR, loadScenarios } from '../../src/scenarios';

const EXAMPLES = EXAMPLE_SCENARIOS_DIR;

describe('loadScenarios', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rollgate-scenarios-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads every shared example with its generator metadata, and reads _meta.json as metadata', async () => {
    const results = await loadScenarios([EXAMPLES]);
    expect(results).toHaveLength(8);
    expect(results.every((r) => r.ok)).toBe(true);
    const spike = results.find((r) => r.ok && r.scenario.name === 'rollback-error-spike');
    expect(spike?.ok && spike.meta?.sprt_seconds).toBeCloseTo(3.164, 3);
    const steady = results.find((r) => r.ok && r.scenario.name === 'keep-steady');
    expect(steady?.ok && steady.meta?.fault).toBeNull();
  });

  it('reports a bad file by name and field path and goes on with the others, recursively', async () => {
    const good = JSON.parse(await readFile(join(EXAMPLES, 'keep-steady.json'), 'utf8'));
    await mkdir(join(dir, 'nested', 'deeper'), { recursive: true });
    await copyFile(join(EXAMPLES, 'rollback-latency.json'), join(dir, 'a-good.json'));
    const bad = structuredClone(good);
    bad.name = 'b-bad';
    bad.series.errors[12] = -3;
    await writeFile(join(dir, 'b-bad.json'), JSON.stringify(bad));
    await writeFile(join(dir, 'c-not-json.json'), '{"schema":');
    await writeFile(join(dir, 'notes.txt'), 'ignored: not a .json file');
    const nested = structuredClone(good);
    nested.name = 'nested-good';
    await writeFile(join(dir, 'nested', 'deeper', 'nested-good.json'), JSON.stringify(nested));

    const results = await loadScenarios([dir]);
    const byFile = new Map(results.map((r) => [r.file.slice(dir.length + 1), r]));
    expect([...byFile.keys()]).toEqual([
      'a-good.json',
      'b-bad.json',
      'c-not-json.json',
      join('nested', 'deeper', 'nested-good.json'),
    ]);
    const badResult = byFile.get('b-bad.json');
    expect(badResult?.ok).toBe(false);
    if (badResult && !badResult.ok) {
      expect(badResult.errors).toEqual([
        `${join(dir, 'b-bad.json')}: series.errors[12]: expected a non-negative integer`,
      ]);
    }
    expect(byFile.get('c-not-json.json')?.ok).toBe(false);
    expect(byFile.get('a-good.json')?.ok).toBe(true);
    expect(byFile.get(join('nested', 'deeper', 'nested-good.json'))?.ok).toBe(true);
  });

  it('reports a broken _meta.json and a missing path, and still loads the scenarios', async () => {
    await copyFile(join(EXAMPLES, 'keep-steady.json'), join(dir, 'keep-steady.json'));
    await writeFile(join(dir, '_meta.json'), JSON.stringify({ 'keep-steady': { rps: -1 } }));
    const missing = join(dir, 'does-not-exist');
    const results = await loadScenarios([dir, missing]);
    const failures = results.filter((r) => !r.ok);
    expect(failures.map((f) => f.file)).toEqual([missing, join(dir, '_meta.json')]);
    const metaFailure = failures[1];
    if (metaFailure && !metaFailure.ok) {
      expect(metaFailure.errors.some((e) => e.includes('keep-steady.rps'))).toBe(true);
    }
    const loaded = results.find((r) => r.ok);
    expect(loaded?.ok && loaded.meta).toBeNull();
  });

  it('finds the _meta.json beside a single file given by name', async () => {
    const results = await loadScenarios([join(EXAMPLES, 'rollback-probe.json')]);
    expect(results).toHaveLength(1);
    const r = results[0];
    expect(r?.ok && r.meta?.fault).toEqual({ kind: 'probe', ready: 0.6667, at: 4 });
  });

  it('rejects a second scenario with a name already used', async () => {
    await copyFile(join(EXAMPLES, 'keep-steady.json'), join(dir, 'a.json'));
    await copyFile(join(EXAMPLES, 'keep-steady.json'), join(dir, 'b.json'));
    const results = await loadScenarios([dir]);
    expect(results[0]?.ok).toBe(true);
    const second = results[1];
    expect(second?.ok).toBe(false);
    if (second && !second.ok) expect(second.errors[0]).toContain('"keep-steady" is already used by');
  });
});
