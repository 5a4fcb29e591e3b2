import { describe, expect, it } from 'vitest';
import { editDistance, type OptionSpec, parseArgs } from '../../src/cli/arg-parser';
import { UsageError } from '../../src/cli/usage-error';

const SPECS: OptionSpec[] = [
  { name: 'config', short: 'c', type: 'string', value: 'FILE', description: '' },
  { name: 'json', type: 'boolean', description: '' },
  { name: 'dry-run', type: 'boolean', description: '' },
  { name: 'out', short: 'o', type: 'string', description: '' },
];

describe('parseArgs', () => {
  it('reads long, short, = and switch forms, positionals, and -- to end flags', () => {
    expect(
      parseArgs(['list', '--config', 'a.yaml', '--json', 'x', '-o', '-', '--', '--not-a-flag'], SPECS),
    ).toEqual({
      options: { config: 'a.yaml', json: true, out: '-' },
      positionals: ['list', 'x', '--not-a-flag'],
    });
    expect(parseArgs(['--config=b=c.yaml', '-c'].slice(0, 1), SPECS).options).toEqual({ config: 'b=c.yaml' });
  });

  it('refuses unknown flags with the closest known one, missing values, values on switches, and repeats', () => {
    const message = (argv: string[]) => {
      try {
        parseArgs(argv, SPECS, 'watch');
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        expect((error as UsageError).command).toBe('watch');
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(message(['--confg', 'x'])).toBe('unknown flag --confg; did you mean --config?');
    expect(message(['--zzzzzz'])).toBe('unknown flag --zzzzzz.');
    expect(message(['-x'])).toBe('unknown flag -x.');
    expect(message(['--config'])).toBe('--config needs a value: --config FILE.');
    expect(message(['--config', '--json'])).toBe('--config needs a value: --config FILE.');
    expect(message(['-c'])).toBe('-c needs a value: -c FILE.');
    expect(message(['--json=yes'])).toBe('--json is a switch and takes no value; write --json alone.');
    expect(message(['--json', '--json'])).toBe('--json was given twice; give it once.');
  });

  it('measures edit distance', () => {
    expect(editDistance('dryrun', 'dry-run')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
