import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { releaseList, rollbackCandidate } from '../../src/release/release-list';
import { releaseNameProblem } from '../../src/release/release-name';
import { formatDeployerTime, parseDeployerTime, parseReleasesLog } from '../../src/release/releases-log';

describe('parseReleasesLog', () => {
  it('parses Deployer lines and keeps file order', () => {
    const { entries, warnings } = parseReleasesLog(
      [
        '{"created_at":"2024-05-01T12:00:00+0000","release_name":"4","user":"ci","target":"v1.4.2"}',
        '{"created_at":"2024-05-01T13:00:00+0200","release_name":5,"user":"ci","target":null}',
      ],
      releaseNameProblem,
      'log',
    );
    expect(warnings).toEqual([]);
    expect(entries).toEqual([
      { name: '4', createdAt: Date.UTC(2024, 4, 1, 12), user: 'ci', target: 'v1.4.2' },
      { name: '5', createdAt: Date.UTC(2024, 4, 1, 11), user: 'ci' },
    ]);
  });

  it('only ever yields valid names from arbitrary lines (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'binary' }),
            fc
              .record({
                release_name: fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.constant(null)),
              })
              .map((o) => JSON.stringify(o)),
          ),
          { maxLength: 20 },
        ),
        (lines) => {
          const { entries, warnings } = parseReleasesLog(lines, releaseNameProblem, 'log');
          for (const e of entries) expect(releaseNameProblem(e.name)).toBeUndefined();
          const nonBlank = lines.filter((l) => l.trim().length > 0).length;
          expect(entries.length + warnings.length).toBe(nonBlank);
        },
      ),
    );
  });
});

describe('release list and candidate', () => {
  const entries = ['1', '2', '3', '2', '4'].map((name) => ({ name }));

  it('is newest first, unique, and only existing directories', () => {
    expect(releaseList(entries, (n) => n !== '3').map((e) => e.name)).toEqual(['4', '2', '1']);
  });

  it('picks the first non-BAD release after current, or none', () => {
    expect(rollbackCandidate(['5', '4', '3', '2'], '5', (n) => n === '4')).toBe('3');
    expect(rollbackCandidate(['5', '4', '3'], '4', () => false)).toBe('3');
    expect(rollbackCandidate(['5', '4'], '4', () => false)).toBeUndefined();
    expect(rollbackCandidate(['5', '4'], '9', () => false)).toBeUndefined();
    expect(rollbackCandidate(['5', '4', '3'], '5', () => true)).toBeUndefined();
  });

  it('never picks current, a newer release or a BAD one (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 50 }).map(String), { minLength: 1, maxLength: 15 }),
        fc.nat(),
        fc.func(fc.boolean()),
        (names, at, bad) => {
          const current = names[at % names.length] as string;
          const picked = rollbackCandidate(names, current, bad);
          if (picked !== undefined) {
            expect(names.indexOf(picked)).toBeGreaterThan(names.indexOf(current));
            expect(bad(picked)).toBe(false);
          }
        },
      ),
    );
  });
});

describe('Deployer timestamps', () => {
  it('parses PHP ISO 8601 offsets and formats like timestamp()', () => {
    expect(parseDeployerTime('2024-05-01T12:00:00+0000')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseDeployerTime('2024-05-01T12:00:00-05:30')).toBe(Date.UTC(2024, 4, 1, 17, 30));
    expect(parseDeployerTime('2024-05-01T12:00:00Z')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseDeployerTime('yesterday')).toBeUndefined();
    expect(formatDeployerTime(Date.UTC(2024, 5, 1, 10, 0, 0, 999))).toBe('2024-06-01T10:00:00+0000');
  });
});
