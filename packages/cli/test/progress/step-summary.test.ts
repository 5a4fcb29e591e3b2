import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stepSummaryMarkdown, writeStepSummary } from '../../src/progress/step-summary';
import type { WatchSummary } from '../../src/progress/watch-reporter';
import { contract, DEPLOY_AT, evaluation } from '../support/evaluation-fixture';
import { useTempDirs } from '../support/temp-dir';

const SUMMARY: WatchSummary = {
  type: 'summary',
  outcome: 'rolled-back',
  exitCode: 10,
  watchId: 'checkout--42@abc--1746100800000',
  service: 'checkout',
  reason: 'rolled back 42@abc -> 41@def: error rate 3.72% | 5xx; recovery verified',
  dryRun: false,
  artifact: '42@abc',
  deployedAt: new Date(DEPLOY_AT).toISOString(),
  failedArtifact: '42@abc',
  restoredArtifact: '41@def',
  recoveryVerified: true,
  breach: {
    signal: 'error-rate',
    value: 0.0372,
    threshold: 0.005,
    samples: 1204,
    statistic: 'log-e-value',
    statisticValue: 5.9,
    alpha: 0.005,
    confirmedAt: new Date(DEPLOY_AT + 35_000).toISOString(),
  },
  audit: '/srv/.rollgate/audit.jsonl',
  report: 'rollgate-report.html',
  resume: null,
  durationSeconds: 95,
  error: null,
};

describe('the GitHub Actions job summary', () => {
  const tempDir = useTempDirs();

  it('says the outcome, the signals with their evidence, the breach and where the audit and report are', () => {
    const md = stepSummaryMarkdown({
      summary: SUMMARY,
      headline: 'ROLLED BACK: traffic is back on the last verified version and recovery is verified',
      contract: contract(),
      evaluation: evaluation(35, { breach: true }),
      baseline: null,
      env: { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '77' },
    });
    expect(md).toContain('### ↩️ Rollgate: ROLLED BACK: traffic is back');
    expect(md).toContain('| Rolled back | `42@abc` → `41@def` |');
    expect(md).toContain('| Recovery verified | yes |');
    // A pipe in a reason cannot break the table.
    expect(md).toContain('error rate 3.72% \\| 5xx');
    expect(md).toContain('| error-rate | **BREACH** (confirmed) | 3.72% (base 0.5%) | e 365 / 200 | 1,204 |');
    expect(md).toContain(
      '**Breach:** `error-rate` confirmed at 2025-05-01T12:00:35.000Z over 1,204 samples: e-value 365 ≥ 1/alpha 200.',
    );
    expect(md).toContain('- report: `rollgate-report.html`');
    expect(md).toContain('(https://github.com/acme/shop/actions/runs/77#artifacts)');
  });

  it('appends to $GITHUB_STEP_SUMMARY only inside Actions', async () => {
    const dir = await tempDir();
    const file = join(dir, 'summary.md');
    await writeStepSummary({}, '# nothing\n');
    await writeStepSummary({ GITHUB_STEP_SUMMARY: file }, 'one\n');
    await writeStepSummary({ GITHUB_STEP_SUMMARY: file }, 'two\n');
    expect(await readFile(file, 'utf8')).toBe('one\ntwo\n');
  });
});
