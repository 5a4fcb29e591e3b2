import { describe, expect, it } from 'vitest';
import type { WatchFinish } from '../../../examples/src/watch/watch-events';
import type { DeployRecord } from '../../src/soak/soak-lane';
import type { SoakDeploy } from '../../src/soak/soak-plan';
import { judge, reasonCell, shortReason, soakSection, summarize } from '../../src/soak/soak-report';

const T = 1_800_000_000_000;
const healthy: SoakDeploy = {
  kind: 'healthy',
  expect: 'keep',
  behaviour: { errorRate: 0.005, latency: { medianMs: 12, sigma: 0.5 } },
};
const errorSpike: SoakDeploy = {
  kind: 'error spike',
  expect: 'rollback',
  behaviour: { ...healthy.behaviour, fault: { afterSeconds: 15, errorRate: 0.15 } },
};

function finish(outcome: string, reason = `${outcome} because`): WatchFinish {
  return {
    outcome,
    reason,
    watchId: 'w',
    recoveryVerified: outcome === 'rolled-back' ? true : null,
    failedArtifact: null,
    restoredArtifact: outcome === 'rolled-back' ? '1@abc' : null,
    breachConfirmedAt: null,
    audit: null,
  };
}

function record(
  deploy: SoakDeploy,
  f: WatchFinish,
  times: { detected?: number; onset?: number } = {},
): DeployRecord {
  return {
    lane: 'a',
    index: 1,
    release: '2',
    deploy,
    deployAt: T,
    endedAt: T + 100_000,
    finish: f,
    detectedAt: times.detected === undefined ? null : T + times.detected * 1000,
    faultOnsetAt: times.onset === undefined ? null : T + times.onset * 1000,
    service: {
      switches: [],
      faultOnsets: {},
      requests: 0,
      seconds: [
        { second: T / 1000 - 10, requests: 40, slower: [0, 0, 0, 0], maxMs: 40, loopDelayMs: 12 },
        { second: T / 1000 + 3, requests: 40, slower: [7, 2, 0, 0], maxMs: 300, loopDelayMs: 240 },
      ],
    },
    firstEvaluationAt: T + 4_000,
  };
}

describe('judging soak deploys', () => {
  it('tells a kept healthy release, a false rollback and no decision apart', () => {
    expect(judge(record(healthy, finish('promoted')), []).verdict).toBe('kept');
    expect(judge(record(healthy, finish('rolled-back'), { detected: 20 }), []).verdict).toBe(
      'FALSE ROLLBACK',
    );
    expect(judge(record(healthy, finish('kept-on-hold')), []).verdict).toBe('no decision');
    expect(judge(record(healthy, finish('incident-routed')), []).verdict).toBe('no decision');
    // Rolled back, then escalated because recovery was not verified: still a rollback.
    const escalated = { ...finish('escalated'), restoredArtifact: '1@abc', recoveryVerified: false };
    expect(judge(record(healthy, escalated), []).verdict).toBe('FALSE ROLLBACK');
    expect(judge(record(errorSpike, escalated, { onset: 15, detected: 17 }), []).verdict).toBe('detected');
    expect(summarize([judge(record(healthy, escalated), [])])[0]).toMatchObject({
      falseRollbacks: 1,
      unverified: 1,
    });
  });

  it('counts a rollback as a detection only on evidence from after the fault began', () => {
    const detected = judge(record(errorSpike, finish('rolled-back'), { onset: 15, detected: 18.5 }), []);
    expect(detected).toMatchObject({ verdict: 'detected', delaySeconds: 3.5 });
    expect(judge(record(errorSpike, finish('rolled-back'), { onset: 15, detected: 9 }), []).verdict).toBe(
      'rolled back before the fault',
    );
    expect(judge(record(errorSpike, finish('rolled-back'), { detected: 9 }), []).verdict).toBe(
      'rolled back before the fault',
    );
    expect(judge(record(errorSpike, finish('promoted'), { onset: 15 }), []).verdict).toBe('MISSED');
  });

  it('measures the host load that overlapped the watch', () => {
    const spans = [
      { from: T - 50_000, to: T + 10_000, processes: 4 },
      { from: T + 90_000, to: T + 200_000, processes: 4 },
    ];
    expect(judge(record(healthy, finish('promoted')), spans).hostLoadSeconds).toBe(20);
  });

  it('summarizes per kind and writes the section with every deploy and its reason', () => {
    const judged = [
      judge(record(healthy, finish('promoted')), []),
      judge(
        record(healthy, finish('rolled-back', 'latency-p99: share slower than 100 ms 2.63% | of 228')),
        [],
      ),
      judge(record(errorSpike, finish('rolled-back'), { onset: 15, detected: 18 }), []),
      judge(record(errorSpike, finish('rolled-back'), { onset: 15, detected: 22 }), []),
    ];
    expect(summarize(judged)).toEqual([
      expect.objectContaining({ kind: 'healthy', deploys: 2, kept: 1, falseRollbacks: 1 }),
      expect.objectContaining({ kind: 'error spike', deploys: 2, detected: 2, delays: [3, 7] }),
    ]);
    const text = soakSection({
      judged,
      startedAt: T,
      endedAt: T + 30 * 60_000,
      prometheusVersion: '2.42.0',
      lanes: 1,
      loads: [3, 9, 5],
      command: 'pnpm --filter @rollgate/bench run soak',
    });
    expect(text).toContain('**False rollbacks: 1 of 2 healthy deploys. Detected: 2 of 2 bad deploys**');
    expect(text).toContain('median 5.0 s, max 7.0 s');
    expect(text).toContain('*False rollbacks* count every healthy release the watch moved traffic off');
    expect(text).toContain('load average during the soak was 3.0 to 9.0 (median 5.0)');
    expect(text).toContain('share slower than 100 ms 2.63% \\| of 228');
    expect(text).toContain('>100 ms: before 0/40, loop 12 ms; after 7/40, loop 240 ms');
    expect(text.split('\n').filter((l) => l.startsWith('| shop-a |'))).toHaveLength(4);
  });

  it("gives the breach that caused a rollback, and the outcome's reason when it says more", () => {
    const escalated = {
      ...finish('escalated', 'rolled back to 1@abc but recovery is not verified: memory: growing 36730 B/s'),
      restoredArtifact: '1@abc',
    };
    const withBreach = {
      ...record(healthy, escalated, { detected: 12 }),
      breachReason:
        'breach confirmed: 1 of 4 signals confirmed (k=1): latency-p99: share slower than 100 ms 27.6% of 29',
    };
    expect(reasonCell(withBreach)).toBe(
      '1 of 4 signals confirmed (k=1): latency-p99: share slower than 100 ms 27.6% of 29 **then** rolled back to 1@abc but recovery is not verified: memory: growing 36730 B/s',
    );
    expect(
      reasonCell({ ...withBreach, finish: finish('rolled-back', 'rolled back; recovery verified') }),
    ).toBe('1 of 4 signals confirmed (k=1): latency-p99: share slower than 100 ms 27.6% of 29');
    expect(reasonCell(record(healthy, finish('promoted', 'bake complete')))).toBe('bake complete');
  });

  it('shortens reasons to one line with short artifact ids', () => {
    expect(shortReason(`rolled back 2@${'a'.repeat(40)}\n -> 1@${'b'.repeat(40)}`)).toBe(
      'rolled back 2@aaaaaaa -> 1@bbbbbbb',
    );
    expect(shortReason('x'.repeat(400)).length).toBe(260);
  });
});
