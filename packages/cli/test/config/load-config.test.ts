// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the configuration's reference syntax, written literally.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RollgateError } from '@rollgate/core';
import { describe, expect, it } from 'vitest';
import { findConfigFile, loadConfig, parseConfig } from '../../src/config/load-config';
import { useTempDirs } from '../support/temp-dir';

const YAML = `service: checkout
selector:
  job: checkout
contract:
  bakeSeconds: 120
  stepSeconds: 2
sources:
  prom:
    type: prometheus
    url: \${PROM_URL:-http://127.0.0.1:9090}
    auth:
      type: bearer
      token: \${PROM_TOKEN}
    timeoutMs: \${PROM_TIMEOUT_MS:-5000}
executor:
  type: deployer
  deployPath: releases/app
state:
  dir: state
notify:
  - type: slack
    url: \${SLACK_WEBHOOK_URL}
guardrails:
  dryRun: \${DRY_RUN:-false}
  killSwitchFile: STOP
`;

async function configError(fn: () => Promise<unknown>): Promise<RollgateError> {
  try {
    await fn();
  } catch (error) {
    if (RollgateError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

describe('loadConfig', () => {
  const tempDir = useTempDirs();
  const env = {
    PROM_TOKEN: 'tok-3f9a8c7e5d2b1a06',
    SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX',
  };

  it('reads YAML, substitutes the environment, fills defaults and resolves paths against the file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'rollgate.yaml');
    await writeFile(file, YAML);
    const loaded = await loadConfig(file, env);
    const source = loaded.config.sources.prom;
    expect(source?.type).toBe('prometheus');
    expect(source?.type === 'prometheus' && source.url).toBe('http://127.0.0.1:9090');
    expect(source?.type === 'prometheus' && source.auth).toEqual({ type: 'bearer', token: env.PROM_TOKEN });
    expect(source?.type === 'prometheus' && source.timeoutMs).toBe(5000);
    expect(loaded.config.guardrails).toEqual({
      dryRun: false,
      cooldownSeconds: 1800,
      killSwitchFile: join(dir, 'STOP'),
    });
    expect(loaded.config.state.dir).toBe(join(dir, 'state'));
    expect(loaded.config.executor.type === 'deployer' && loaded.config.executor.deployPath).toBe(
      join(dir, 'releases/app'),
    );
    expect(loaded.contract.bakeSeconds).toBe(120);
    expect(loaded.contract.stepSeconds).toBe(2);
    expect(loaded.contract.signals.map((s) => s.id)).toEqual([
      'error-rate',
      'latency-p99',
      'memory',
      'health',
    ]);
    expect(loaded.contract.signals.every((s) => s.selector.job === 'checkout')).toBe(true);
    // A lone source answers to "default", which the default signals read.
    expect(loaded.sourceAliases).toEqual({ prom: 'prom', default: 'prom' });
    expect(loaded.secrets).toEqual(expect.arrayContaining([env.PROM_TOKEN, env.SLACK_WEBHOOK_URL]));
    expect(JSON.stringify(loaded.masked)).not.toContain(env.PROM_TOKEN);
    expect(JSON.stringify(loaded.masked)).not.toContain('XXXXsecretXXXX');
  });

  it('reads the same configuration as JSON, with numbers and booleans from the environment', async () => {
    const dir = await tempDir();
    const file = join(dir, 'rollgate.json');
    const json = {
      service: 'checkout',
      sources: {
        default: {
          type: 'newrelic',
          accountId: '${NR_ACCOUNT}',
          apiKey: '${NEW_RELIC_API_KEY}',
          region: 'eu',
        },
      },
      executor: {
        type: 'kubernetes',
        namespace: 'shop',
        deployment: 'checkout',
        server: 'https://10.0.0.1:6443',
        token: '${KUBE_TOKEN}',
      },
      guardrails: { dryRun: '${DRY}', cooldownSeconds: '${COOLDOWN}' },
    };
    await writeFile(file, JSON.stringify(json, null, 2));
    const loaded = await loadConfig(file, {
      NR_ACCOUNT: '1234567',
      NEW_RELIC_API_KEY: 'NRAK-ABCDEFGHIJKLMNOP',
      KUBE_TOKEN: 'kube-token-value-123',
      DRY: 'true',
      COOLDOWN: '600',
    });
    const source = loaded.config.sources.default;
    expect(source?.type === 'newrelic' && source.accountId).toBe(1234567);
    expect(loaded.config.guardrails.dryRun).toBe(true);
    expect(loaded.config.guardrails.cooldownSeconds).toBe(600);
    expect(loaded.secrets).toEqual(expect.arrayContaining(['NRAK-ABCDEFGHIJKLMNOP', 'kube-token-value-123']));
  });

  it('names the variable and the field (with its line) when a variable is missing, and never a value', async () => {
    const error = await configError(() =>
      parseConfig(YAML, '/srv/rollgate.yaml', { SLACK_WEBHOOK_URL: env.SLACK_WEBHOOK_URL }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(
      'rollgate.yaml:13:14: sources.prom.auth.token: environment variable PROM_TOKEN is not set',
    );
    expect(error.message).toContain('export it before running rollgate, or write ${PROM_TOKEN:-default}');
    expect(error.message).not.toContain('XXXXsecretXXXX');
  });

  it('reports every missing variable at once', async () => {
    const error = await configError(() => parseConfig(YAML, '/srv/rollgate.yaml', {}));
    expect(error.message).toContain('PROM_TOKEN');
    expect(error.message).toContain('notify[0].url: environment variable SLACK_WEBHOOK_URL is not set');
  });

  it('names the file, the line, the field path and the fix for schema errors', async () => {
    const bad = YAML.replace('type: prometheus', 'type: promethus')
      .replace('deployPath: releases/app', 'deployPath: releases/app\n  selector: prod')
      .replace('dir: state', 'dir: state\n  keep: 2');
    const error = await configError(() => parseConfig(`${bad}colour: blue\n`, '/srv/rollgate.yaml', env));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(
      'rollgate.yaml:9:11: sources.prom.type: expected one of "prometheus" | "newrelic" (did you mean "prometheus"?)',
    );
    expect(error.message).toMatch(
      /rollgate\.yaml:\d+:\d+: executor\.selector: selector does not apply in local mode: remove it or set mode/,
    );
    expect(error.message).toMatch(
      /rollgate\.yaml:\d+:\d+: state\.keep: keep at least 3 verified artifacts to roll back to/,
    );
    // An unknown top-level field has its line too.
    expect(error.message).toContain(
      'rollgate.yaml:28:1: colour: unknown field "colour": remove it; the fields here',
    );
    expect(error.message).toContain('docs/config.md');
    expect(error.message).not.toContain(env.PROM_TOKEN);
  });

  it('validates contract overrides with the contract schema, under contract.*', async () => {
    const bad = YAML.replace('stepSeconds: 2', 'stepSeconds: -1\n  alpha: 2');
    const error = await configError(() => parseConfig(bad, '/srv/rollgate.yaml', env));
    expect(error.message).toMatch(
      /rollgate\.yaml:6:\d+: contract\.stepSeconds: stepSeconds must be from 1 to 3600 seconds/,
    );
    expect(error.message).toMatch(
      /rollgate\.yaml:7:\d+: contract\.alpha: alpha must be from 0\.000001 to 0\.25/,
    );
  });

  it('accepts a full contract (signals replace the defaults) and checks each signal reads a configured source', async () => {
    const full = YAML.replace('selector:\n  job: checkout\n', '').replace(
      'stepSeconds: 2',
      'stepSeconds: 2\n  signals:\n    - id: errors\n      kind: error-rate\n      source: nr\n      rules: [{ type: static, max: 0.05 }]',
    );
    const error = await configError(() => parseConfig(full, '/srv/rollgate.yaml', env));
    expect(error.message).toMatch(
      /contract\.signals\[0\]\.source: signal "errors" reads source "nr", which is not configured; configured: prom/,
    );
    const ok = await parseConfig(full.replace('source: nr', 'source: prom'), '/srv/rollgate.yaml', env);
    expect(ok.contract.signals.map((s) => s.id)).toEqual(['errors']);
  });

  it('refuses a selector next to contract.signals (it would be ignored) and a service inside contract', async () => {
    const both = YAML.replace(
      'stepSeconds: 2',
      'stepSeconds: 2\n  service: other\n  signals:\n    - id: errors\n      kind: error-rate\n      rules: [{ type: static, max: 0.05 }]',
    );
    const error = await configError(() => parseConfig(both, '/srv/rollgate.yaml', env));
    expect(error.message).toContain('contract.service: set the service once, at the top level');
  });

  it('points at the line of a YAML syntax error', async () => {
    const error = await configError(() => parseConfig('service: a\nsources: [\n', '/srv/rollgate.yaml', {}));
    expect(error.message).toMatch(/rollgate\.yaml is not valid YAML:\n {2}- rollgate\.yaml:\d+:\d+: /);
  });

  it('finds rollgate.yaml, honours $ROLLGATE_CONFIG, and says how to create a missing file', async () => {
    const dir = await tempDir();
    await expect(findConfigFile(undefined, dir, {})).rejects.toThrow(
      /no configuration file: pass --config FILE, or create rollgate\.yaml .* with `rollgate init`/,
    );
    await expect(findConfigFile('nope.yaml', dir, {})).rejects.toThrow(
      /nope\.yaml: no such configuration file.*rollgate init --out nope\.yaml/,
    );
    await writeFile(join(dir, 'rollgate.yml'), YAML);
    expect(await findConfigFile(undefined, dir, {})).toBe(join(dir, 'rollgate.yml'));
    await writeFile(join(dir, 'other.json'), '{}');
    expect(await findConfigFile(undefined, dir, { ROLLGATE_CONFIG: 'other.json' })).toBe(
      join(dir, 'other.json'),
    );
  });
});

describe('YAML flow syntax and references', () => {
  it('resolves every field an adapter schema marks as a path, and redacts every field it marks as secret', async () => {
    const text = YAML.replace(
      '    timeoutMs: ${PROM_TIMEOUT_MS:-5000}\n',
      '    timeoutMs: ${PROM_TIMEOUT_MS:-5000}\n    url: https://prom.example\n    headers: { X-Scope-OrgID: team-a }\n    tls: { caFile: certs/ca.pem }\n',
    ).replace('    url: ${PROM_URL:-http://127.0.0.1:9090}\n', '');
    const loaded = await parseConfig(text, '/srv/app/rollgate.yaml', {
      PROM_TOKEN: 'tok-3f9a8c7e5d2b1a06',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX',
    });
    const source = loaded.config.sources.prom;
    expect(source?.type === 'prometheus' && source.tls?.caFile).toBe('/srv/app/certs/ca.pem');
    // The header value is marked secret by the Prometheus schema: listed and masked.
    expect(loaded.secrets).toContain('team-a');
    expect(JSON.stringify(loaded.masked)).not.toContain('team-a');
    expect(JSON.stringify(loaded.masked)).toContain('certs/ca.pem');
  });

  it('explains that ${...} must be quoted inside { }', async () => {
    const error = await configError(() =>
      parseConfig('service: a\nsources:\n  p: { type: prometheus, url: ${URL} }\n', '/srv/rollgate.yaml', {
        URL: 'http://x',
      }),
    );
    expect(error.message).toContain('Inside { } or [ ], quote environment references: token: "${NAME}"');
    expect(error.message.split('\n').filter((l) => l.startsWith('  - ')).length).toBeLessThanOrEqual(4);
  });
});
