import type { MachineSnapshot } from '@rollgate/core';
import { describe, expect, it } from 'vitest';
import { createJsonReporter } from '../../src/progress/json-reporter';
import { createPlainReporter } from '../../src/progress/plain-reporter';
import { createTtyReporter, visible } from '../../src/progress/tty-reporter';
import type { WatchSummary } from '../../src/progress/watch-reporter';
import { DEPLOY_AT, evaluation, start } from '../support/evaluation-fixture';

const ESC = String.fromCharCode(27);

function stream(tty: boolean, columns = 120) {
  let text = '';
  const write = (t: string) => {
    text += t;
  };
  return { out: { write, isTTY: tty, columns }, text: () => text };
}

const SUMMARY: WatchSummary = {
  type: 'summary',
  outcome: 'rolled-back',
  exitCode: 10,
  watchId: 'checkout--42@abc--1746100800000',
  service: 'checkout',
  reason: 'rolled back 42@abc -> 41@def: error rate 3.72%; recovery verified',
  dryRun: false,
  artifact: '42@abc',
  deployedAt: new Date(DEPLOY_AT).toISOString(),
  failedArtifact: '42@abc',
  restoredArtifact: '41@def',
  recoveryVerified: true,
  breach: null,
  audit: '/srv/.rollgate/audit.jsonl',
  report: null,
  resume: null,
  durationSeconds: 60,
  error: null,
};

describe('TTY progress', () => {
  it('draws a header and a signal table, and redraws it in place after each evaluation', () => {
    const s = stream(true);
    let now = DEPLOY_AT + 30_000;
    const r = createTtyReporter(s.out, { color: true, tickMs: 0, now: () => now });
    r.start(start());
    r.evaluation(evaluation(30));
    const first = s.text();
    expect(visible(first)).toMatch(/BAKE +\[█+░+\] 30s elapsed · 1m30s left · step 5s · alpha 0.01/);
    expect(visible(first)).toMatch(/SIGNAL\s+VERDICT\s+VALUE\s+EVIDENCE\s+SAMPLES/);
    // A sequential rule: the baseline beside the value, the e-value against 1/alpha as evidence.
    expect(visible(first)).not.toContain('THRESHOLD');
    expect(visible(first)).toMatch(/error-rate\s+✔ pass\s+0.51% \(base 0.5%\)\s+e 3.32 \/ 200\s+1,204/);
    expect(visible(first)).toMatch(/memory\s+✔ pass\s+1.46 KiB\/s \(limit 35.2 KiB\/s\)\s+t 0.4 \/ 4/);
    expect(visible(first)).toMatch(/health\s+✔ pass\s+100%\s+limit 100%/);
    expect(first).toContain('\u001b[32m✔ pass'); // green
    now += 5000;
    r.evaluation(evaluation(35, { breach: true }));
    const second = s.text().slice(first.length);
    // Cursor back to the start of the table block, clear, redraw: the table is replaced, not appended.
    const lastBlock = first.slice(first.lastIndexOf('\u001b[J') + 3);
    const drawnRows = lastBlock.split('\n').length - 1;
    expect(drawnRows).toBe(8); // title, bar, table head, 4 signals, decision
    expect(second.startsWith(`\u001b[${drawnRows}F\u001b[J`)).toBe(true);
    expect(visible(second)).toMatch(/error-rate\s+✖ BREACH!\s+3.72%/);
    expect(visible(second)).toContain('35s elapsed · 1m25s left');
  });

  it('prints transitions above the table and keeps them; the final block says what happened', () => {
    const s = stream(true);
    const r = createTtyReporter(s.out, { color: false, tickMs: 0, now: () => DEPLOY_AT + 36_000 });
    r.start(start({ dryRun: true }));
    r.evaluation(evaluation(35, { breach: true }));
    r.transition({
      from: 'Watching',
      to: 'Validating',
      at: DEPLOY_AT + 35_000,
      reason: 'breach confirmed: error-rate',
    });
    r.finish(SUMMARY, 'ROLLED BACK: traffic is back on the last verified version and recovery is verified');
    const text = s.text();
    expect(text).not.toMatch(new RegExp(`${ESC}\\[[\\d;]*m`)); // no colour when disabled
    expect(text).toContain('12:00:35 Watching → Validating  breach confirmed: error-rate');
    expect(text).toContain(' DRY RUN ');
    expect(text).toMatch(/ROLLED BACK: .*\n {2}outcome rolled-back · exit 10\n/);
    expect(text).toContain('failed 42@abc → restored 41@def');
    expect(text).toContain(
      'report: rollgate report /srv/.rollgate/audit.jsonl --watch-id checkout--42@abc--1746100800000',
    );
  });

  it('counts wrapped lines when erasing on a narrow terminal', () => {
    const s = stream(true, 40);
    const r = createTtyReporter(s.out, { color: false, tickMs: 0, now: () => DEPLOY_AT + 30_000 });
    r.start(start());
    r.evaluation(evaluation(30));
    const before = s.text();
    const rows = visible(before.slice(before.lastIndexOf('\u001b[J') + 3))
      .split('\n')
      .slice(0, -1)
      .reduce((n, line) => n + Math.max(1, Math.ceil(line.length / 40)), 0);
    expect(rows).toBeGreaterThan(8);
    r.evaluation(evaluation(35));
    expect(s.text().slice(before.length).startsWith(`\u001b[${rows}F\u001b[J`)).toBe(true);
  });

  it('assumes 100 columns when the terminal reports none', () => {
    const s = stream(true, 0);
    const r = createTtyReporter(s.out, { color: false, tickMs: 0, now: () => DEPLOY_AT + 30_000 });
    r.start(start());
    r.evaluation(evaluation(30));
    r.evaluation(evaluation(35));
    expect(s.text()).toContain('decision: continue — 90 s of bake left');
    expect(s.text()).toContain('\u001b[8F\u001b[J');
  });
});

describe('progress during the recovery verification and for latency', () => {
  const rolledBack = (): MachineSnapshot =>
    ({
      cutover: { requestedAt: DEPLOY_AT + 36_000, receipt: null, completedAt: null, gate: null, error: null },
      target: { id: '41@def' },
      bake: {
        baseline: {
          window: { start: DEPLOY_AT - 1_800_000, end: DEPLOY_AT },
          signals: { 'latency-p99': { exceedanceThresholdMs: 250 } },
        },
      },
    }) as unknown as MachineSnapshot;

  it('names the restored artifact in the header and says "recovered", never "promote", above ROLLED BACK', () => {
    const s = stream(true);
    const r = createTtyReporter(s.out, { color: false, tickMs: 0, now: () => DEPLOY_AT + 60_000 });
    r.start(start());
    r.snapshot?.(rolledBack());
    r.transition({
      from: 'CuttingOver',
      to: 'Verifying',
      at: DEPLOY_AT + 38_000,
      reason: 'traffic is on 41@def',
    });
    const verify = evaluation(60, { purpose: 'verify' });
    r.evaluation({
      ...verify,
      decision: { type: 'promote', evidence: [], reason: 'all signals within the baseline' },
    });
    r.finish(SUMMARY, 'ROLLED BACK: traffic is back on the last verified version and recovery is verified');
    const text = visible(s.text());
    const lastTable = text.slice(text.lastIndexOf('rollgate  checkout'));
    expect(lastTable).toContain('rollgate  checkout  41@def (restored; 42@abc rolled back)  [Verifying]');
    expect(lastTable).toContain('recovery: recovered — all signals within the baseline');
    expect(text).not.toContain('decision: promote');
    const plain = stream(false);
    const p = createPlainReporter(plain.out, { githubActions: false });
    p.start(start());
    p.snapshot?.(rolledBack());
    p.evaluation({ ...verify, decision: { type: 'promote', evidence: [], reason: 'all within' } });
    expect(plain.text()).toContain('evaluation verify 41@def 1m00s/');
    expect(plain.text()).toContain('recovery recovered: all within');
    expect(plain.text()).not.toContain('decision promote');
  });

  it('shows a latency signal in ms: the share of requests slower than the threshold L', () => {
    const s = stream(true);
    const r = createTtyReporter(s.out, { color: false, tickMs: 0, now: () => DEPLOY_AT + 30_000 });
    r.start(start());
    r.snapshot?.(rolledBack());
    const e = evaluation(30);
    const latency = e.signals[1];
    if (!latency) throw new Error('fixture');
    const verdict = {
      ...(latency.verdicts[0] as (typeof latency.verdicts)[number]),
      status: 'pass' as const,
      value: 0.009,
      threshold: 0.01,
      samples: 1204,
      statistic: { name: 'log-e-value', value: 0.3, threshold: 5.3 },
    };
    r.evaluation({
      ...e,
      signals: [{ ...latency, status: 'pass' as const, verdicts: [verdict] }],
    });
    expect(visible(s.text())).toMatch(/latency-p99\s+✔ pass\s+0.9% > 250 ms\s+e 1.35 \/ 200/);
  });
});

describe('plain progress (not a terminal)', () => {
  it('writes one timestamped line per evaluation and per transition', () => {
    const s = stream(false);
    const r = createPlainReporter(s.out, { githubActions: false });
    r.start(start());
    r.evaluation(evaluation(30));
    r.transition({ from: 'Watching', to: 'Validating', at: DEPLOY_AT + 35_000, reason: 'breach confirmed' });
    r.finish(SUMMARY, 'ROLLED BACK: traffic is back');
    const lines = s.text().trimEnd().split('\n');
    expect(lines.every((l) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /.test(l))).toBe(true);
    expect(lines[0]).toContain(
      'start checkout: watching 42@abc deployed 2025-05-01T12:00:00.000Z; bake 120 s, step 5 s, alpha 0.01, 4 signal(s)',
    );
    expect(lines[2]).toBe(
      '2025-05-01T12:00:30.000Z evaluation bake 30s/2m00s: error-rate pass 0.51% (base 0.5%) [e 3.32 / 200, n=1,204]; latency-p99 no-data – [n=0]; memory pass 1.46 KiB/s (limit 35.2 KiB/s) [t 0.4 / 4, n=1,204]; health pass 100% [limit 100%, n=1,204]; decision continue: 90 s of bake left',
    );
    expect(lines[3]).toBe('2025-05-01T12:00:35.000Z transition Watching -> Validating: breach confirmed');
    expect(s.text()).not.toContain('::');
    expect(s.text()).not.toContain('\u001b');
  });

  it('adds GitHub Actions groups and annotations', () => {
    const s = stream(false);
    const r = createPlainReporter(s.out, { githubActions: true });
    r.start(start());
    r.evaluation(evaluation(30));
    r.transition({
      from: 'CuttingOver',
      to: 'Verifying',
      at: DEPLOY_AT + 38_000,
      reason: 'traffic is on 41@def',
    });
    r.finish({ ...SUMMARY, reason: 'rolled back: 100% done\nnext line' }, 'ROLLED BACK: traffic is back');
    const lines = s.text().trimEnd().split('\n');
    expect(lines[0]).toBe('::group::Rollgate: baking checkout 42@abc');
    expect(lines.filter((l) => l === '::endgroup::')).toHaveLength(2);
    expect(lines).toContain('::group::Rollgate: verifying recovery of checkout');
    expect(lines.at(-1)).toBe(
      '::warning title=Rollgate%3A rolled-back::ROLLED BACK: traffic is back. rolled back: 100%25 done%0Anext line',
    );
    const escalated = stream(false);
    const e = createPlainReporter(escalated.out, { githubActions: true });
    e.start(start());
    e.finish({ ...SUMMARY, outcome: 'escalated', exitCode: 20 }, 'ESCALATED: a human must look');
    expect(escalated.text()).toContain('::error title=Rollgate%3A escalated::ESCALATED: a human must look.');
    const promoted = stream(false);
    const p = createPlainReporter(promoted.out, { githubActions: true });
    p.start(start());
    p.finish({ ...SUMMARY, outcome: 'promoted', exitCode: 0 }, 'PROMOTED');
    expect(promoted.text()).not.toMatch(/::(error|warning)/);
  });
});

describe('--json progress', () => {
  it('writes one JSON object per line and the summary last; non-finite numbers become null', () => {
    const s = stream(false);
    const r = createJsonReporter(s.out);
    r.start(start());
    const e = evaluation(35, { breach: true });
    const first = e.signals[0];
    if (!first) throw new Error('fixture');
    r.evaluation({
      ...e,
      signals: [
        {
          ...first,
          verdicts: [
            {
              ...(first.verdicts[0] as (typeof first.verdicts)[number]),
              threshold: Number.POSITIVE_INFINITY,
            },
          ],
        },
      ],
    });
    r.transition({ from: 'Watching', to: 'Validating', at: DEPLOY_AT + 35_000, reason: 'breach confirmed' });
    r.command({ type: 'cutover', target: { id: '41@def' }, operationId: 'op-1' }, DEPLOY_AT + 36_000);
    r.finish(SUMMARY, 'ROLLED BACK');
    const events = s
      .text()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((x) => x.type)).toEqual([
      'start',
      'evaluation',
      'transition',
      'command',
      'outcome',
      'summary',
    ]);
    expect(events[1]).toMatchObject({
      purpose: 'bake',
      decision: { type: 'breach', signals: ['error-rate'] },
      signals: [
        {
          signal: 'error-rate',
          status: 'breach',
          confirmed: true,
          value: 0.0372,
          threshold: null,
          statistic: { name: 'log-e-value', alpha: 0.005, ratioEstimate: 7.4 },
        },
      ],
    });
    expect(events[3]).toEqual({
      type: 'command',
      at: '2025-05-01T12:00:36.000Z',
      command: { type: 'cutover', target: '41@def', operationId: 'op-1' },
    });
    expect(events.at(-1)).toEqual(SUMMARY);
  });
});

describe('--json progress of a partial read (issue 18, finding 3)', () => {
  it('names the source warnings of a signal whose read was partial', () => {
    const s = stream(false);
    const r = createJsonReporter(s.out);
    const e = evaluation(35);
    const first = e.signals[0];
    if (!first) throw new Error('fixture');
    const warning = 'partial response: store gateway down';
    r.evaluation({
      ...e,
      signals: [
        {
          ...first,
          status: 'error',
          verdicts: [
            {
              ...(first.verdicts[0] as (typeof first.verdicts)[number]),
              status: 'error',
              value: null,
              threshold: null,
              reason: `source failed: SOURCE_PARTIAL_DATA: ${warning}`,
              error: {
                code: 'SOURCE_PARTIAL_DATA',
                message: `The source flagged its answer as possibly incomplete: ${warning}.`,
                retryable: true,
                component: 'evaluator',
                details: { warnings: [warning] },
              },
            },
          ],
        },
        ...e.signals.slice(1),
      ],
    });
    const [line] = s.text().trimEnd().split('\n');
    const event = JSON.parse(line ?? '{}') as { signals: Record<string, unknown>[] };
    expect(event.signals[0]).toMatchObject({
      signal: 'error-rate',
      status: 'error',
      warnings: [warning],
      error: { code: 'SOURCE_PARTIAL_DATA' },
    });
    expect(event.signals[1]?.warnings).toBeUndefined();
  });
});
