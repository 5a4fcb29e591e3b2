import { describe, expect, it } from 'vitest';
import { serviceRecordLines, serviceWindows } from '../../src/report/service-record';

const deployAt = 1_000_000;
const second = (rel: number, requests: number, slow100: number, loopDelayMs: number) => ({
  second: deployAt / 1000 + rel,
  requests,
  slower: [slow100, 0, 0, 0],
  maxMs: slow100 > 0 ? 180 : 40,
  loopDelayMs,
});

describe("the service's record around the deploy", () => {
  it('folds seconds into 5 s windows relative to the deploy, quiet baseline against a loaded bake', () => {
    const seconds = [
      second(-10, 40, 0, 12),
      second(-6, 40, 0, 15),
      second(0, 40, 6, 230),
      second(4, 38, 3, 190),
    ];
    const windows = serviceWindows(seconds, deployAt, deployAt - 10_000, deployAt + 5_000);
    expect(windows).toEqual([
      { from: -10, to: -5, requests: 80, slower: [0, 0, 0, 0], maxMs: 40, loopDelayMs: 15 },
      { from: -5, to: 0, requests: 0, slower: [0, 0, 0, 0], maxMs: 0, loopDelayMs: 0 },
      { from: 0, to: 5, requests: 78, slower: [9, 0, 0, 0], maxMs: 180, loopDelayMs: 230 },
    ]);
    const lines = serviceRecordLines(windows);
    expect(lines[0]).toContain('>100ms');
    expect(lines[0]).toContain('event-loop delay');
    expect(lines[3]).toMatch(/^ {2}\+ {2}0\.\.\+ {2}5 +78 +9 +0 +0 +0 +180 ms +230 ms$/);
  });
});
