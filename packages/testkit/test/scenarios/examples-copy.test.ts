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

  it('is byte for byte the brief’s copy wherever the brief is beside the checkout', () => {
    const compared = existsSync(BRIEF_EXAMPLES) ? files : [];
    for (const name of compared) {
      expect(readFileSync(join(EXAMPLE_SCENARIOS_DIR, name)), name).toEqual(
        readFileSync(join(BRIEF_EXAMPLES, name)),
      );
    }
    // In a clone without the brief there is nothing to compare against; the first test still
    // pins the set of files.
    expect(compared.length === 0 || compared.length === files.length).toBe(true);
  });
});
