import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXAMPLE_SCENARIOS_DIR } from '@rollgate/testkit/scenarios';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { memoryIo } from '../support/memory-io';
import { useTempDirs } from '../support/temp-dir';

const EXAMPLES = EXAMPLE_SCENARIOS_DIR;

describe('rollgate backtest', () => {
  const tempDir = useTempDirs();

  it('decides every shared example as its truth says, one JSON line each and a summary last', async () => {
    const io = memoryIo({ cwd: await tempDir() });
    expect(await main(['backtest', EXAMPLES, '--json'], io)).toBe(0);
    const lines = io
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const summary = lines.at(-1);
    const rows = lines.slice(0, -1);
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(['decidedAtStep', 'decision', 'name', 'reason', 'signal']);
      const truth = JSON.parse(await readFile(join(EXAMPLES, `${row.name}.json`), 'utf8')).truth;
      expect(row.decision).toBe(truth.verdict);
    }
    expect(rows.find((r) => r.name === 'rollback-error-spike')).toMatchObject({
      decision: 'rollback',
      signal: 'error-rate',
      decidedAtStep: 368,
    });
    expect(summary).toMatchObject({
      summary: true,
      scenarios: 8,
      failed: 0,
      detectionRate: 1,
      falseRollbacks: 0,
      incidentsRouted: 1,
    });
  }, 60_000);

  it('prints a readable table and the scores without --json', async () => {
    const io = memoryIo({ cwd: await tempDir() });
    expect(
      await main(['backtest', join(EXAMPLES, 'rollback-probe.json'), join(EXAMPLES, 'keep-steady.json')], io),
    ).toBe(0);
    expect(io.out()).toMatch(/scenario\s+truth\s+decision\s+step/);
    // Readiness must stay below 100% for 20 s (the default health rule's notReadySeconds): step 369, +25 s.
    expect(io.out()).toMatch(/rollback-probe\s+rollback\s+rollback\s+369\s+25\s+health/);
    expect(io.out()).toContain('detection rate: 100.0% (1/1 rollback scenarios)');
    expect(io.out()).toContain('false rollbacks: 0');
  }, 60_000);

  it('reports a malformed file by name and field path and replays the others (exit 1)', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'set'));
    const good = JSON.parse(await readFile(join(EXAMPLES, 'keep-steady.json'), 'utf8'));
    await writeFile(join(dir, 'set', 'keep-steady.json'), JSON.stringify(good));
    good.name = 'broken';
    good.series.errors[12] = -3;
    await writeFile(join(dir, 'set', 'broken.json'), JSON.stringify(good));
    await writeFile(join(dir, 'set', 'not-json.json'), '{ nope');
    const io = memoryIo({ cwd: dir });
    expect(await main(['backtest', 'set', '--json'], io)).toBe(1);
    expect(io.err()).toContain('broken.json: series.errors[12]');
    expect(io.err()).toContain('not-json.json');
    const lines = io
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.name ?? 'summary')).toEqual(['keep-steady', 'summary']);
    expect(lines.at(-1)).toMatchObject({ scenarios: 1, failed: 2 });
  }, 60_000);

  it('applies --contract overrides, and rejects a bad contract file naming it and the field', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'strict.yaml'), 'alpha: 0.001\n');
    const io = memoryIo({ cwd: dir });
    expect(
      await main(
        ['backtest', join(EXAMPLES, 'rollback-error-spike.json'), '--contract', 'strict.yaml', '--json'],
        io,
      ),
    ).toBe(0);
    const [row] = io
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(row.decision).toBe('rollback');
    expect(row.reason).toContain('1/alpha');

    await writeFile(join(dir, 'bad.yaml'), 'alpha: 2\nwarmupSecs: 3\n');
    const bad = memoryIo({ cwd: dir });
    expect(await main(['backtest', EXAMPLES, '--contract', 'bad.yaml'], bad)).toBe(2);
    expect(bad.err()).toContain('bad.yaml');
    expect(bad.err()).toContain('alpha');
    expect(bad.err()).toContain('unknown field "warmupSecs"');

    await writeFile(join(dir, 'svc.yaml'), 'service: x\n');
    const svc = memoryIo({ cwd: dir });
    expect(await main(['backtest', EXAMPLES, '--contract', 'svc.yaml'], svc)).toBe(2);
    expect(svc.err()).toContain('service: each scenario names its own service');
  }, 60_000);
});
