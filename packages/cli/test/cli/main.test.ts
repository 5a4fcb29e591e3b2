import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { defineCommand } from '../../src/cli/command';
import { main } from '../../src/cli/main';
import { COMMANDS, loadCommands } from '../../src/command-registry';
import { memoryIo } from '../support/memory-io';

describe('main', () => {
  it('has one table row per file in src/commands, each matching its module, each with help', async () => {
    const files = (await readdir(fileURLToPath(new URL('../../src/commands/', import.meta.url)))).filter(
      (f) => f.endsWith('.ts'),
    );
    const commands = await loadCommands();
    expect(commands.map((c) => `${c.name}.ts`).sort()).toEqual(files.sort());
    // The row is what `rollgate --help` shows without loading the module: it must not drift.
    expect(COMMANDS.map((row) => [row.name, row.summary])).toEqual(commands.map((c) => [c.name, c.summary]));
    for (const command of commands) {
      const io = memoryIo({ cwd: '/' });
      expect(await main([command.name, '--help'], io)).toBe(0);
      expect(io.out()).toContain(`Usage: ${command.usage}`);
      expect(io.out()).toContain('-h, --help');
    }
  });

  it('prints the top-level help, the version, and help for a command', async () => {
    const io = memoryIo({ cwd: '/' });
    expect(await main(['--help'], io)).toBe(0);
    for (const name of ['watch', 'report', 'artifacts', 'init', 'config'])
      expect(io.out()).toMatch(new RegExp(`\\n  ${name}\\s+\\S`));
    expect(io.out()).toContain('Exit codes: 0 kept/promoted, 10 rolled back');
    const v = memoryIo({ cwd: '/' });
    expect(await main(['--version'], v)).toBe(0);
    expect(v.out()).toBe(`${packageJson.version}\n`);
    const h = memoryIo({ cwd: '/' });
    expect(await main(['help', 'report'], h)).toBe(0);
    expect(h.out()).toContain('Usage: rollgate report AUDIT');
  });

  it('exits 2 with a pointer to help for usage mistakes', async () => {
    const none = memoryIo({ cwd: '/' });
    expect(await main([], none)).toBe(2);
    expect(none.err()).toContain('Usage: rollgate <command>');
    const unknown = memoryIo({ cwd: '/' });
    expect(await main(['wach'], unknown)).toBe(2);
    expect(unknown.err()).toMatch(
      /^rollgate: unknown command "wach"; did you mean "watch"\? Commands: watch, status, promote, abort, retry, report, artifacts, backtest, init, calibrate, config\.$/m,
    );
    const unknownHelp = memoryIo({ cwd: '/' });
    expect(await main(['help', 'confg'], unknownHelp)).toBe(2);
    expect(unknownHelp.err()).toContain('unknown command "confg"; did you mean "config"?');
    // Nothing close: no guess, just the list.
    const far = memoryIo({ cwd: '/' });
    expect(await main(['deploy-now'], far)).toBe(2);
    expect(far.err()).toMatch(/unknown command "deploy-now"\. Commands: watch, /);
    const typo = memoryIo({ cwd: '/' });
    expect(await main(['watch', '--dryrun'], typo)).toBe(2);
    expect(typo.err()).toBe(
      'rollgate watch: unknown flag --dryrun; did you mean --dry-run?\nRun `rollgate watch --help` for usage.\n',
    );
    const missing = memoryIo({ cwd: '/' });
    expect(await main(['report'], missing)).toBe(2);
    expect(missing.err()).toContain('rollgate report: missing AUDIT.');
    const extra = memoryIo({ cwd: '/' });
    expect(await main(['report', 'a', 'b'], extra)).toBe(2);
    expect(extra.err()).toContain('unexpected argument "b"');
  });

  it('runs a command from a registry given to it, and maps thrown errors to exit codes', async () => {
    const boom = defineCommand({
      name: 'boom',
      summary: 'fails',
      usage: 'rollgate boom',
      options: [],
      run: async () => {
        throw new Error('kaput');
      },
    });
    const io = memoryIo({ cwd: '/' });
    expect(await main(['boom'], io, [boom])).toBe(1);
    expect(io.err()).toContain('rollgate boom: unexpected error: Error: kaput');
  });

  it('redacts secret-looking environment values from everything it prints', async () => {
    const token = 'ghp_5ecretT0kenValue42';
    const leak = defineCommand({
      name: 'leak',
      summary: 'prints a secret',
      usage: 'rollgate leak',
      options: [],
      run: async ({ io }) => {
        io.stdout.write(`token=${token}\n`);
        io.stderr.write(`again ${token}\n`);
        return 0;
      },
    });
    const io = memoryIo({ cwd: '/', env: { GITHUB_TOKEN: token } });
    expect(await main(['leak'], io, [leak])).toBe(0);
    expect(io.out()).toBe('token=[redacted]\n');
    expect(io.err()).toBe('again [redacted]\n');
  });
});
