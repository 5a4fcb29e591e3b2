import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXAMPLE_SCENARIOS_DIR } from '@rollgate/testkit/scenarios';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { memoryIo } from '../support/memory-io';
import { useTempDirs } from '../support/temp-dir';

const EXAMPLES = EXAMPLE_SCENARIOS_DIR;

async function config(dir: string, extra = ''): Promise<void> {
  await writeFile(
    join(dir, 'rollgate.yaml'),
    `service: checkout\nsources:\n  default: { type: prometheus, url: "http://127.0.0.1:9" }\nexecutor: { type: deployer, deployPath: ${dir} }\nstate: { dir: state }\n${extra}`,
  );
}

describe('rollgate calibrate', () => {
  const tempDir = useTempDirs();

  it('replays the contract and its variants over scenarios, and does not claim the target 4 cases cannot prove', async () => {
    const dir = await tempDir();
    await config(dir);
    const io = memoryIo({ cwd: dir });
    // 0 false rollbacks in 4 cases bounds the rate at 52.7% (95%), far from 1%: not proven, exit 20.
    expect(await main(['calibrate', '--scenarios', EXAMPLES], io)).toBe(20);
    expect(io.out()).toContain('As configured: 0 false rollback(s) in 4 scenario(s), 100.0% detected');
    expect(io.out()).toContain('proven: false-rollback rate <= 52.7% (95.0% upper confidence bound)');
    expect(io.out()).toContain(
      'would roll back: rollback-error-spike (true rollback after 10 s, error-rate)',
    );
    expect(io.out()).toMatch(/warmupSeconds 30\s+0\/4\s+52\.7%\s+100\.0%/);
    expect(io.out()).toContain(
      'Not proven: 0 false rollback(s) in 4 scenario(s) bounds the false-rollback rate at 52.7% (95.0% confidence), not 1.0%. Claiming 1.0% needs at least 299 scenarios without a false rollback',
    );
    expect(io.out()).not.toContain('meets the target');
    expect(io.err()).toContain('calibrating: variant 12/12');
  }, 120_000);

  it('says the target is met once enough cases prove it (a loose target, the same data)', async () => {
    const dir = await tempDir();
    await config(dir);
    const io = memoryIo({ cwd: dir });
    expect(await main(['calibrate', '--scenarios', EXAMPLES, '--target', '0.6', '--json'], io)).toBe(0);
    const lines = io
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      variant: 'as configured',
      cases: 4,
      falseRollbacks: 0,
      meetsTarget: true,
    });
    expect(lines[0].falseRateUpperBound).toBeCloseTo(1 - 0.05 ** (1 / 4), 6);
    expect(lines.at(-1)).toMatchObject({ target: 0.6, confidence: 0.95, suggestion: { proven: true } });
  }, 120_000);

  it('runs its help example from the repository root, without a configuration file', async () => {
    const root = join(import.meta.dirname, '..', '..', '..', '..');
    const help = memoryIo({ cwd: root });
    expect(await main(['calibrate', '--help'], help)).toBe(0);
    const example = help
      .out()
      .split('\n')
      .find((l) => l.trim().startsWith('rollgate calibrate'));
    const argv = (example ?? '').replace(/#.*$/, '').trim().split(/\s+/).slice(1);
    expect(argv).toEqual(['calibrate', '--scenarios', 'packages/testkit/scenarios/examples']);
    const io = memoryIo({ cwd: root, env: {} });
    expect(await main(argv, io)).toBe(20);
    expect(io.err()).toContain('no configuration file here: calibrating the default contract');
    expect(io.out()).toContain('As configured: 0 false rollback(s) in 4 scenario(s)');
  }, 120_000);

  it('suggests a stricter setting as YAML when the configuration causes false rollbacks', async () => {
    const dir = await tempDir();
    // Far too loose for a sequential test: a false rollback on a healthy scenario is likely.
    await config(dir, 'contract:\n  warmupSeconds: 0\n  coldStartSeconds: 0\n');
    const io = memoryIo({ cwd: dir });
    const code = await main(
      [
        'calibrate',
        '--scenarios',
        `${join(EXAMPLES, 'keep-cold-start.json')},${join(EXAMPLES, 'rollback-error-spike.json')}`,
        '--json',
      ],
      io,
    );
    const lines = io
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const configured = lines[0];
    expect(configured.variant).toBe('as configured');
    expect(configured.falseRollbacks).toBe(1);
    const suggestion = lines.at(-1);
    // Two scenarios can prove nothing at 1%: the better variant is shown, marked not proven.
    expect(code).toBe(20);
    expect(suggestion.suggestion.proven).toBe(false);
    expect(suggestion.suggestion.changes.warmupSeconds).toBeGreaterThanOrEqual(10);
  }, 120_000);

  it('refuses ambiguous or malformed options with exit 2', async () => {
    const dir = await tempDir();
    await config(dir);
    const neither = memoryIo({ cwd: dir });
    expect(await main(['calibrate'], neither)).toBe(2);
    expect(neither.err()).toContain('exactly one of --since DURATION or --scenarios DIR');
    const both = memoryIo({ cwd: dir });
    expect(await main(['calibrate', '--since', '1d', '--scenarios', EXAMPLES], both)).toBe(2);
    const badDuration = memoryIo({ cwd: dir });
    expect(await main(['calibrate', '--since', 'a month'], badDuration)).toBe(2);
    expect(badDuration.err()).toContain('--since: expected a duration such as 90m, 12h or 30d');
    const badTarget = memoryIo({ cwd: dir });
    expect(await main(['calibrate', '--since', '1d', '--target', '5'], badTarget)).toBe(2);
  });
});
