import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The contract suites must catch broken adapters, not only pass working ones. planted/ runs
// each suite against a reference adapter and against copies with one bug planted; this test
// runs that folder in its own vitest process and checks which tests failed.
const PLANTED = join(import.meta.dirname, 'planted');
const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

interface AssertionResult {
  readonly ancestorTitles: readonly string[];
  readonly title: string;
  readonly status: string;
  readonly failureMessages: readonly string[];
}

let results: AssertionResult[] = [];
let dir = '';
let output = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollgate-planted-'));
  const report = join(dir, 'report.json');
  const run = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--config',
      join(PLANTED, 'vitest.planted.config.ts'),
      '--reporter=json',
      `--outputFile=${report}`,
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 240_000 },
  );
  output = `${run.stdout}\n${run.stderr}`;
  const parsed = JSON.parse(readFileSync(report, 'utf8')) as {
    testResults: { assertionResults: AssertionResult[] }[];
  };
  results = parsed.testResults.flatMap((file) => file.assertionResults);
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The tests of one suite run (its describe title), by outcome. */
function suite(title: string): { failed: string[]; passed: string[] } {
  const mine = results.filter((r) => r.ancestorTitles.includes(title));
  if (mine.length === 0) throw new Error(`no results for "${title}"; the run printed:\n${output}`);
  return {
    failed: mine.filter((r) => r.status !== 'passed').map((r) => r.title),
    passed: mine.filter((r) => r.status === 'passed').map((r) => r.title),
  };
}

describe('the contract suites catch planted bugs', () => {
  it('pass a reference MetricSource and a reference Executor in full', () => {
    for (const title of ['MetricSource contract: reference', 'Executor contract: reference']) {
      const { failed, passed } = suite(title);
      expect(failed, title).toEqual([]);
      expect(passed.length, title).toBeGreaterThan(8);
    }
  });

  it('fail a MetricSource that returns two series without segmentBy, on that rule only', () => {
    expect(suite('MetricSource contract: planted: two series without segmentBy').failed).toEqual([
      'answers a query without segmentBy with one aggregated series',
    ]);
  });

  it('fail a MetricSource whose readMany answers out of order, on the readMany rules that check positions', () => {
    expect(suite('MetricSource contract: planted: readMany out of order').failed).toEqual([
      'readMany: one result per request, in order, each what read gives for it',
      'readMany: a request the source refuses fails alone, the others keep their answers',
    ]);
  });

  it('fail a MetricSource whose readMany fails every request for one bad query, on that rule only', () => {
    expect(
      suite('MetricSource contract: planted: readMany fails every request for one bad query').failed,
    ).toEqual(['readMany: a request the source refuses fails alone, the others keep their answers']);
  });

  it('fail a MetricSource that returns samples outside [start, end], on that rule only', () => {
    expect(suite('MetricSource contract: planted: samples outside [start, end]').failed).toEqual([
      'returns only samples inside the requested [start, end]',
    ]);
  });

  it('fail an Executor whose awaitReady always says ok, on the readiness gate only', () => {
    expect(suite('Executor contract: planted: awaitReady always says ok').failed).toEqual([
      'fails the readiness gate (GATE_FAILED or TIMEOUT) when the target never becomes ready',
    ]);
  });

  it('fail a Notifier that throws on a failed delivery, on that rule only', () => {
    expect(suite('Notifier contract: planted: a failed delivery throws').failed).toEqual([
      'resolves a failed delivery to an error result without secrets, instead of throwing',
    ]);
  });
});
