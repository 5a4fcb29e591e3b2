// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the configuration's reference syntax, written literally.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main';
import { memoryIo } from '../support/memory-io';
import { useTempDirs } from '../support/temp-dir';

// Variable names that do not look secret, so only the configuration's own knowledge of which
// fields are secret keeps these values out of the output.
const SECRETS = {
  VALUE_A: 'bearer-7c1e0b9d4f2a8e63',
  VALUE_B: 'https://hooks.slack.com/services/T0AAAA/B0BBBB/slackpath5e4c3b2a',
  VALUE_C: 'pd-routing-0f9e8d7c6b5a4',
  VALUE_D: 'hdr-value-91a2b3c4d5',
};

const CONFIG = `service: checkout
sources:
  default:
    type: prometheus
    url: http://127.0.0.1:9
    auth: { type: bearer, token: "\${VALUE_A}" }
    headers: { X-Scope-OrgID: "\${VALUE_D}" }
executor: { type: deployer, deployPath: /nonexistent/app }
state: { dir: state }
notify:
  - { type: slack, url: "\${VALUE_B}" }
  - { type: pagerduty, routingKey: "\${VALUE_C}" }
`;

function expectNoSecret(...texts: string[]) {
  for (const text of texts) {
    for (const value of Object.values(SECRETS)) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(encodeURIComponent(value));
    }
    expect(text).not.toContain('slackpath5e4c3b2a');
  }
}

describe('rollgate config and init', () => {
  const tempDir = useTempDirs();

  it('config check validates every part and config print hides every secret', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'rollgate.yaml'), CONFIG);
    const check = memoryIo({ cwd: dir, env: SECRETS });
    expect(await main(['config', 'check'], check)).toBe(0);
    expect(check.out()).toContain(`${join(dir, 'rollgate.yaml')} is valid.`);
    expect(check.out()).toContain('notify    slack, pagerduty');
    const print = memoryIo({ cwd: dir, env: SECRETS });
    expect(await main(['config', 'print'], print)).toBe(0);
    const doc = parse(print.out()) as {
      config: {
        sources: { default: { auth: { token: string }; headers: Record<string, string> } };
        notify: { url?: string; routingKey?: string }[];
      };
      contract: { bakeSeconds: number };
    };
    expect(doc.config.sources.default.auth.token).toBe('[redacted]');
    expect(doc.config.sources.default.headers['X-Scope-OrgID']).toBe('[redacted]');
    expect(doc.config.notify[0]?.url).toBe('[redacted]');
    expect(doc.config.notify[1]?.routingKey).toBe('[redacted]');
    expect(doc.contract.bakeSeconds).toBe(600);
    const json = memoryIo({ cwd: dir, env: SECRETS });
    expect(await main(['config', 'print', '--json'], json)).toBe(0);
    expect(JSON.parse(json.out())).toMatchObject({ config: { service: 'checkout' } });
    expectNoSecret(check.out(), check.err(), print.out(), print.err(), json.out());
    // The first run imports every command module: slow on a busy machine.
  }, 60_000);

  it('never prints a secret in failing runs either: a bad field next to it, a secret in the wrong place, a failing watch', async () => {
    const dir = await tempDir();
    const runs: [string, string[], number][] = [
      [CONFIG.replace('token: "${VALUE_A}"', 'token: "${VALUE_A}", extra: 1'), ['config', 'check'], 2],
      [CONFIG.replace('url: http://127.0.0.1:9', 'url: ${VALUE_A}'), ['config', 'check'], 2],
      [CONFIG.replace('deployPath: /nonexistent/app', 'deployPath: "${VALUE_A}"'), ['watch', '--json'], 1],
      [`${CONFIG}guardrails: { dryRun: "\${VALUE_C}" }\n`, ['config', 'check'], 2],
      [CONFIG, ['watch', '--json'], 1],
      [CONFIG, ['watch'], 1],
      [CONFIG, ['watch', '--artifact', '1', '--deployed-at', 'yesterday'], 2],
    ];
    for (const [text, argv, exit] of runs) {
      await writeFile(join(dir, 'rollgate.yaml'), text);
      const io = memoryIo({ cwd: dir, env: SECRETS });
      const code = await main(argv, io);
      expect(code, `${argv.join(' ')}: ${io.err()}`).toBe(exit);
      expect(io.err()).toMatch(/rollgate\.yaml|executor|--artifact|--deployed-at/);
      expectNoSecret(io.out(), io.err());
      if (argv.includes('--json')) {
        const last = JSON.parse(io.out().trimEnd().split('\n').at(-1) as string) as Record<string, unknown>;
        expect(last).toMatchObject({
          type: 'summary',
          outcome: 'error',
          exitCode: exit,
          service: 'checkout',
        });
      }
    }
  });

  it('a watch of an unreadable configuration ends --json output with an error summary, exit 2', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'rollgate.yaml'), 'service: checkout\nsources: {}\n');
    const io = memoryIo({ cwd: dir });
    expect(await main(['watch', '--json', '--artifact', 'x'], io)).toBe(2);
    const last = JSON.parse(io.out().trimEnd().split('\n').at(-1) as string) as {
      outcome: string;
      exitCode: number;
      error: { code: string; message: string };
    };
    expect(last.outcome).toBe('error');
    expect(last.exitCode).toBe(2);
    expect(last.error.code).toBe('CONFIG_INVALID');
    expect(last.error.message).toContain('rollgate.yaml:2:10: sources: configure at least one metric source');
    expect(last.error.message).toContain('rollgate.yaml:1:1: executor: missing: add executor: a mapping');
    expect(io.err()).toContain('rollgate watch: CONFIG_INVALID: rollgate.yaml is invalid:');
  });

  it('config check --json prints one JSON object: the summary, or every problem with its line', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'rollgate.yaml'), CONFIG);
    const good = memoryIo({ cwd: dir, env: SECRETS });
    expect(await main(['config', 'check', '--json'], good)).toBe(0);
    const ok = JSON.parse(good.out()) as Record<string, unknown>;
    expect(ok).toMatchObject({
      valid: true,
      file: join(dir, 'rollgate.yaml'),
      service: 'checkout',
      sources: [{ name: 'default', type: 'prometheus' }],
      executor: { type: 'deployer', mode: 'local' },
      notify: ['slack', 'pagerduty'],
      problems: [],
    });
    expectNoSecret(good.out(), good.err());

    await writeFile(
      join(dir, 'rollgate.yaml'),
      CONFIG.replace('url: http://127.0.0.1:9', 'url: http://127.0.0.1:9\n    timeout: 5').replace(
        'state: { dir: state }',
        'state: { dir: state, keep: 1 }',
      ),
    );
    const bad = memoryIo({ cwd: dir, env: SECRETS });
    expect(await main(['config', 'check', '--json'], bad)).toBe(2);
    const failed = JSON.parse(bad.out()) as { valid: boolean; problems: Record<string, unknown>[] };
    expect(failed.valid).toBe(false);
    expect(failed.problems).toEqual([
      {
        file: 'rollgate.yaml',
        line: 6,
        column: 5,
        field: 'sources.default.timeout',
        message: 'unknown field "timeout"; did you mean "timeoutMs"?',
      },
      {
        file: 'rollgate.yaml',
        line: 10,
        column: 28,
        field: 'state.keep',
        message: 'keep at least 3 verified artifacts to roll back to',
      },
    ]);
    expect(bad.err()).toContain('rollgate config: CONFIG_INVALID: rollgate.yaml is invalid:');
    expectNoSecret(bad.out(), bad.err());

    await writeFile(join(dir, 'rollgate.yaml'), 'service: a\nsources: [\n');
    const syntax = memoryIo({ cwd: dir });
    expect(await main(['config', 'check', '--json'], syntax)).toBe(2);
    expect(JSON.parse(syntax.out())).toMatchObject({
      valid: false,
      problems: [{ file: 'rollgate.yaml', field: '(syntax)', line: expect.any(Number) }],
    });
    const missing = memoryIo({ cwd: dir });
    expect(await main(['config', 'check', '--json', '--config', 'nope.yaml'], missing)).toBe(2);
    expect(JSON.parse(missing.out())).toMatchObject({
      valid: false,
      problems: [{ line: null, message: expect.stringContaining('nope.yaml: no such configuration file') }],
    });
  }, 60_000);

  it('init writes a commented starter config that passes config check, and never overwrites without --force', async () => {
    const dir = await tempDir();
    const io = memoryIo({ cwd: dir });
    expect(await main(['init', '--service', 'checkout'], io)).toBe(0);
    const text = await readFile(join(dir, 'rollgate.yaml'), 'utf8');
    expect(text).toContain('service: checkout');
    expect(text.split('\n').filter((l) => l.trim().startsWith('#')).length).toBeGreaterThan(20);
    const check = memoryIo({ cwd: dir });
    expect(await main(['config', 'check'], check)).toBe(0);
    expect(check.out()).toContain('signals   error-rate (error-rate, sequential, source default)');

    await writeFile(join(dir, 'rollgate.yaml'), 'mine');
    const again = memoryIo({ cwd: dir });
    expect(await main(['init'], again)).toBe(2);
    expect(again.err()).toContain('already exists; it was left as it is. Use --force to overwrite it');
    expect(await readFile(join(dir, 'rollgate.yaml'), 'utf8')).toBe('mine');
    expect(await main(['init', '--force'], memoryIo({ cwd: dir }))).toBe(0);
    expect(await readFile(join(dir, 'rollgate.yaml'), 'utf8')).toContain('# Rollgate configuration');
    expect(await main(['init', '--out', 'deploy.yaml'], memoryIo({ cwd: dir }))).toBe(0);
    expect(await main(['config', 'check', '--config', 'deploy.yaml'], memoryIo({ cwd: dir }))).toBe(0);
  });
});
