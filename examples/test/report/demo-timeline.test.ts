import { describe, expect, it } from 'vitest';
import { buildSummary, buildTimeline, timelineLines } from '../../src/report/demo-timeline';
import type { WatchEvent, WatchFinish } from '../../src/watch/watch-events';

const deployAt = 1_000_000;
const rolledBack: WatchFinish = {
  outcome: 'rolled-back',
  reason: 'rolled back',
  watchId: 'shop--2_b--1000000',
  recoveryVerified: true,
  failedArtifact: '2@bbb',
  restoredArtifact: '1@aaa',
  breachConfirmedAt: deployAt + 22_500,
  audit: '/tmp/x/state/audit.jsonl',
};
const transition = (to: string, at: number): WatchEvent => ({
  type: 'transition',
  at,
  from: 'x',
  to,
  reason: '',
});

describe('the demo timeline', () => {
  it('takes fault onset and cutover from the service, detection and recovery from the watch', () => {
    const timeline = buildTimeline(
      deployAt,
      {
        switches: [
          { release: '1', at: deployAt - 30_000 },
          { release: '2', at: deployAt + 10 },
          { release: '1', at: deployAt + 23_100 },
        ],
        faultOnsets: { '2': deployAt + 20_010 },
        requests: 3_000,
        seconds: [],
      },
      [
        transition('Watching', deployAt + 900),
        transition('Validating', deployAt + 22_510),
        transition('RolledBack', deployAt + 43_000),
      ],
      rolledBack,
      { deployed: '2', previous: '1' },
    );
    expect(timeline).toEqual({
      deployAt,
      faultOnsetAt: deployAt + 20_010,
      detectedAt: deployAt + 22_510,
      cutoverAt: deployAt + 23_100,
      recoveredAt: deployAt + 43_000,
      promotedAt: null,
    });
    const summary = buildSummary(timeline, rolledBack, {
      report: '/r.html',
      metrics: 'prometheus',
      startedAt: deployAt - 40_000,
      endedAt: deployAt + 45_000,
      audit: '/r/audit.jsonl',
    });
    expect(summary).toEqual({
      outcome: 'rolled-back',
      falseRollback: false,
      reason: 'rolled back',
      faultToDetectSeconds: 2.5,
      faultToCutoverSeconds: 3.1,
      recoveryVerified: true,
      report: '/r.html',
      metrics: 'prometheus',
      totalSeconds: 85,
      audit: '/r/audit.jsonl',
    });
    expect(timelineLines(timeline, { deployed: '2', previous: '1' })).toEqual([
      '  +  0.0s  deploy       current -> releases/2',
      '  + 20.0s  fault onset  release 2 starts failing (first faulty request)',
      '  + 22.5s  detection    Rollgate confirms the breach',
      '  + 23.1s  cutover      traffic back on release 1 (first request it served)',
      '  + 43.0s  recovered    recovery verified on release 1: rolled back',
    ]);
  });

  it('has no fault, detection or cutover for a promoted release', () => {
    const promoted: WatchFinish = {
      ...rolledBack,
      outcome: 'promoted',
      recoveryVerified: null,
      restoredArtifact: null,
      failedArtifact: null,
      breachConfirmedAt: null,
    };
    const timeline = buildTimeline(
      deployAt,
      {
        switches: [
          { release: '1', at: 0 },
          { release: '2', at: deployAt + 5 },
        ],
        faultOnsets: {},
        requests: 10,
        seconds: [],
      },
      [transition('Promoted', deployAt + 50_000)],
      promoted,
      { deployed: '2', previous: '1' },
    );
    expect(timeline).toMatchObject({
      faultOnsetAt: null,
      detectedAt: null,
      cutoverAt: null,
      promotedAt: deployAt + 50_000,
    });
    const summary = buildSummary(timeline, promoted, {
      report: null,
      metrics: 'exposition',
      startedAt: 0,
      endedAt: 1,
      audit: null,
    });
    expect(summary).toMatchObject({
      outcome: 'promoted',
      faultToDetectSeconds: null,
      faultToCutoverSeconds: null,
      recoveryVerified: null,
    });
  });

  it('calls a rollback before the first faulty request a false rollback', () => {
    const service = {
      switches: [
        { release: '1', at: 0 },
        { release: '2', at: deployAt + 5 },
        { release: '1', at: deployAt + 12_000 },
      ],
      requests: 500,
      seconds: [],
    };
    const extra = { report: null, metrics: 'prometheus', startedAt: 0, endedAt: 1, audit: null };
    const releases = { deployed: '2', previous: '1' };
    const events = [transition('Validating', deployAt + 11_000), transition('RolledBack', deployAt + 32_000)];
    // The fault never began: release 2 was gone before its 20 s were up.
    const early = buildTimeline(deployAt, { ...service, faultOnsets: {} }, events, rolledBack, releases);
    const summary = buildSummary(early, rolledBack, extra);
    expect(summary).toMatchObject({
      outcome: 'rolled-back',
      falseRollback: true,
      faultToDetectSeconds: null,
    });
    // Confirmed before the fault's first request, although the fault began before the cutover.
    const before = buildTimeline(
      deployAt,
      { ...service, faultOnsets: { '2': deployAt + 11_500 } },
      events,
      rolledBack,
      releases,
    );
    expect(buildSummary(before, rolledBack, extra).falseRollback).toBe(true);
    const after = buildTimeline(
      deployAt,
      { ...service, faultOnsets: { '2': deployAt + 10_000 } },
      events,
      rolledBack,
      releases,
    );
    expect(buildSummary(after, rolledBack, extra)).toMatchObject({
      falseRollback: false,
      faultToDetectSeconds: 1,
    });
  });
});
