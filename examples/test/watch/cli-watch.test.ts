import { describe, expect, it } from 'vitest';
import { toWatchEvent, toWatchFinish } from '../../src/watch/cli-watch';

describe('reading rollgate watch --json', () => {
  it('turns event lines into demo events', () => {
    expect(
      toWatchEvent({
        type: 'transition',
        at: '2025-05-01T12:00:05.001Z',
        from: 'Watching',
        to: 'Validating',
        reason: 'breach',
      }),
    ).toEqual({
      type: 'transition',
      at: Date.parse('2025-05-01T12:00:05.001Z'),
      from: 'Watching',
      to: 'Validating',
      reason: 'breach',
    });
    expect(
      toWatchEvent({
        type: 'evaluation',
        at: '2025-05-01T12:00:04.000Z',
        purpose: 'bake',
        elapsedSeconds: 4,
        remainingSeconds: 46,
        warmingUp: false,
        decision: { type: 'continue', reason: '46 s of bake left' },
        signals: [
          { signal: 'error-rate', kind: 'error-rate', status: 'pass', confirmed: false, reason: 'ok' },
        ],
      }),
    ).toMatchObject({
      type: 'evaluation',
      purpose: 'bake',
      signals: [{ signal: 'error-rate', status: 'pass', reason: 'ok' }],
    });
    expect(
      toWatchEvent({
        type: 'command',
        at: '2025-05-01T12:00:05Z',
        command: { type: 'cutover', target: '1@aaa' },
      }),
    ).toMatchObject({
      command: 'cutover',
      target: '1@aaa',
    });
    expect(toWatchEvent({ type: 'start', at: '2025-05-01T12:00:00Z' })).toBeNull();
  });

  it('reads the summary line', () => {
    expect(
      toWatchFinish({
        type: 'summary',
        outcome: 'rolled-back',
        exitCode: 10,
        watchId: 'shop--2--1',
        reason: 'rolled back',
        recoveryVerified: true,
        failedArtifact: '2@bbb',
        restoredArtifact: '1@aaa',
        breach: { signal: 'error-rate', confirmedAt: '2025-05-01T12:00:05.001Z' },
        audit: '/srv/.rollgate/audit.jsonl',
      }),
    ).toEqual({
      outcome: 'rolled-back',
      reason: 'rolled back',
      watchId: 'shop--2--1',
      recoveryVerified: true,
      failedArtifact: '2@bbb',
      restoredArtifact: '1@aaa',
      breachConfirmedAt: Date.parse('2025-05-01T12:00:05.001Z'),
      audit: '/srv/.rollgate/audit.jsonl',
    });
    expect(
      toWatchFinish({ type: 'summary', outcome: 'promoted', breach: null, recoveryVerified: null }),
    ).toMatchObject({
      breachConfirmedAt: null,
      recoveryVerified: null,
    });
  });
});
