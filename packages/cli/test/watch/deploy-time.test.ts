import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/usage-error';
import { parseDeployTime } from '../../src/watch/deploy-time';
import { exitCodeFor, outcomeHeadline } from '../../src/watch/outcome-exit-code';
import { shellQuote } from '../../src/watch/shell-quote';

const NOW = Date.parse('2025-05-01T12:10:00Z');

describe('parseDeployTime', () => {
  it('reads ISO 8601 with a zone and epoch seconds or milliseconds', () => {
    const ms = Date.parse('2025-05-01T12:00:00Z');
    expect(parseDeployTime('2025-05-01T12:00:00Z', NOW)).toBe(ms);
    expect(parseDeployTime('2025-05-01T14:00:00+02:00', NOW)).toBe(ms);
    expect(parseDeployTime('2025-05-01 12:00:00.250Z', NOW)).toBe(ms + 250);
    expect(parseDeployTime(String(ms / 1000), NOW)).toBe(ms);
    expect(parseDeployTime(String(ms / 1000 + 0.5), NOW)).toBe(ms + 500);
    expect(parseDeployTime(String(ms), NOW)).toBe(ms);
  });

  it('refuses a time without a zone, the future, before 2000, and anything else, saying what to write', () => {
    const fails = (text: string) => {
      expect(() => parseDeployTime(text, NOW)).toThrow(UsageError);
      try {
        parseDeployTime(text, NOW);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(fails('2025-05-01T12:00:00')).toContain('has no time zone; add Z (UTC) or an offset');
    expect(fails('2025-05-01T13:00:00Z')).toContain('is in the future');
    expect(fails('123')).toContain('is before 2000');
    expect(fails('yesterday')).toContain(
      'give ISO 8601 (2025-05-01T12:00:00Z) or epoch seconds or milliseconds',
    );
  });
});

describe('exit codes and headlines', () => {
  it('maps every outcome to its documented code', () => {
    expect(exitCodeFor('promoted')).toBe(0);
    expect(exitCodeFor('rolled-back')).toBe(10);
    expect(exitCodeFor('would-roll-back')).toBe(10);
    expect(exitCodeFor('escalated')).toBe(20);
    expect(exitCodeFor('halted')).toBe(20);
    expect(exitCodeFor('kept-on-hold')).toBe(20);
    expect(exitCodeFor('incident-routed')).toBe(30);
    expect(outcomeHeadline('would-roll-back', true)).toBe(
      'WOULD ROLL BACK (dry run): the new version is bad; nothing was executed',
    );
    expect(outcomeHeadline('promoted', true)).toBe(
      'PROMOTED: the new version is kept (dry run: nothing was executed)',
    );
  });

  it('quotes resume commands for the shell', () => {
    expect(shellQuote('checkout--42@abc--1746100800000')).toBe('checkout--42@abc--1746100800000');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
  });
});
