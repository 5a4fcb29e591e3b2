import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_SCENARIOS_DIR } from '../../src/scenarios';

// Where the project brief keeps the originals, beside a development checkout (not in a clone).
const BRIEF_EXAMPLES = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  '..',
  '..',
  'shared',
  'scenarios',
  'examples',
);

describe('the example scenarios shipped with testkit', () => {
  const files = readdirSync(EXAMPLE_SCENARIOS_DIR).sort();

  it('holds the eight hand-checked examples, their _meta.json and the format description', () => {
    expect(files).toEqual([
      '_meta.json',
      'incident-preexisting.json',
      'keep-cold-start.json',
      'keep-low-traffic.json',
      'keep-steady.json',
      'rollback-error-spike.json',
      'rollback-latency.json',
      'rollback-memory-leak.json',
      'rollback-probe.json',
    ]);
    expect(readFileSync(join(EXAMPLE_SCENARIOS_DIR, '..', 'FORMAT.md'), 'utf8')).toContain('truth.verdict');
  });

  // sha256 (first 16 hex digits) of the brief's files as copied on 2026-12-04.
  const BRIEF_DIGESTS: Readonly<Record<string, string>> = {
    '_meta.json': '3a9d226dc1ab0840',
    'incident-preexisting.json': 'fb7773d072dc4a9c',
    'keep-cold-start.json': '2f80b99e65f9a6eb',
    'keep-low-traffic.json': 'd59b3b4984b9ffbf',
    'keep-steady.json': '165a836f60d84883',
    'rollback-error-spike.json': '760264a0e322b319',
    'rollback-latency.json': 'b66dfddc0b86129b',
    'rollback-memory-leak.json': 'd444dadc21d60df6',
    'rollback-probe.json': 'a1222b5ba3cdc92f',
  };
  const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);

  it('is the brief’s copy, unedited: every file has the digest it was copied with', () => {
    expect(
      Object.fromEntries(files.map((name) => [name, digest(join(EXAMPLE_SCENARIOS_DIR, name))])),
    ).toEqual(BRIEF_DIGESTS);
  });

  it('matches the brief’s files byte for byte wherever the brief is beside the checkout', () => {
    // In a clone the brief is absent and the digests above are the check.
    const brief = existsSync(BRIEF_EXAMPLES) ? readdirSync(BRIEF_EXAMPLES).sort() : files;
    expect(brief).toEqual(files);
    for (const name of existsSync(BRIEF_EXAMPLES) ? files : []) {
      expect(digest(join(BRIEF_EXAMPLES, name)), name).toBe(BRIEF_DIGESTS[name]);
    }
  });
});
