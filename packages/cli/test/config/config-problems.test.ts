import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RollgateError } from '@rollgate/core';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import type { LocatedProblem } from '../../src/config/config-problems';
import { parseConfig } from '../../src/config/load-config';
import { memoryIo } from '../support/memory-io';
import { useTempDirs } from '../support/temp-dir';

const BASE = `service: checkout
sources:
  default:
    type: prometheus
    url: http://127.0.0.1:9090
executor:
  type: deployer
  deployPath: /srv/app
`;

async function rejection(text: string): Promise<RollgateError> {
  try {
    await parseConfig(text, '/srv/rollgate.yaml', {});
  } catch (error) {
    if (RollgateError.is(error)) return error;
    throw error;
  }
  throw new Error(`expected CONFIG_INVALID for:\n${text}`);
}

/** The bullet lines of a CONFIG_INVALID message. */
function bullets(error: RollgateError): string[] {
  return error.message
    .split('\n')
    .filter((l) => l.startsWith('  - '))
    .map((l) => l.slice(4));
}

const WITH_SOURCE = (extra: string) =>
  BASE.replace('url: http://127.0.0.1:9090', `url: http://127.0.0.1:9090\n${extra}`);
const WITH_EXECUTOR = (text: string) => BASE.replace(/executor:\n(?: {2}.*\n)+/, text);

/**
 * Every kind of mistake a configuration can hold. Each must be refused with the file, the line,
 * the field and words saying what to write: never zod's own terse text.
 */
const REJECTIONS: readonly (readonly [string, string, RegExp])[] = [
  ['selector as a list', `${BASE}selector: [a, b]\n`, /selector: expected a mapping of label names/],
  ['executor as text', WITH_EXECUTOR('executor: deployer\n'), /executor: expected a mapping .*, not text/],
  ['unknown top-level key', `${BASE}colour: blue\n`, /:9:1: colour: unknown field "colour"/],
  [
    'top-level typo',
    `${BASE}guardrail:\n  dryRun: true\n`,
    /guardrail: unknown field .*did you mean "guardrails"/,
  ],
  ['no sources', BASE.replace(/sources:\n(?: {2}.*\n)+/, 'sources: {}\n'), /sources: configure at least one/],
  ['no service', BASE.replace('service: checkout\n', ''), /service: missing: add service: the service name/],
  [
    'service not text',
    BASE.replace('service: checkout', 'service: [a]'),
    /service: expected the service name/,
  ],
  ['notify not a list', `${BASE}notify: { type: slack }\n`, /notify: expected a list/],
  [
    'notify type typo',
    `${BASE}notify:\n  - type: slak\n    url: https://x.example\n`,
    /did you mean "slack"/,
  ],
  [
    'notify url',
    `${BASE}notify:\n  - type: json\n    url: not-a-url\n`,
    /:11:10: notify\[0\]\.url: not a valid absolute URL/,
  ],
  ['keep too small', `${BASE}state:\n  keep: 2\n`, /state\.keep: keep at least 3/],
  ['keep not a number', `${BASE}state:\n  keep: many\n`, /state\.keep: expected a whole number/],
  ['keep too large', `${BASE}state:\n  keep: 100000\n`, /state\.keep: keep at most 1000/],
  [
    'dryRun not boolean',
    `${BASE}guardrails:\n  dryRun: maybe\n`,
    /guardrails\.dryRun: expected true or false/,
  ],
  ['settleMs', `${BASE}guardrails:\n  settleMs: 3e9\n`, /guardrails\.settleMs: must be from 0 to 300000 ms/],
  [
    'cooldown',
    `${BASE}guardrails:\n  cooldownSeconds: 1e12\n`,
    /cooldownSeconds: must be from 0 to 2592000 seconds/,
  ],
  ['cutoverMs', `${BASE}timeouts:\n  cutoverMs: 1e20\n`, /timeouts\.cutoverMs: must be at most 21600000 ms/],
  ['gateMs', `${BASE}timeouts:\n  gateMs: 1e20\n`, /timeouts\.gateMs: must be at most 21600000 ms/],
  ['portMs', `${BASE}timeouts:\n  portMs: 0\n`, /timeouts\.portMs: must be more than 0 ms/],
  ['contract as a list', `${BASE}contract: [1]\n`, /contract: expected a mapping of names to values/],
  [
    'alpha tiny',
    `${BASE}contract:\n  alpha: 1e-300\n`,
    /contract\.alpha: alpha must be from 0\.000001 to 0\.25/,
  ],
  [
    'bake huge',
    `${BASE}contract:\n  bakeSeconds: 1e308\n`,
    /contract\.bakeSeconds: bakeSeconds must be at most 604800 seconds/,
  ],
  [
    'baseline huge',
    `${BASE}contract:\n  baselineSeconds: 1e9\n`,
    /contract\.baselineSeconds: baselineSeconds must be at most 86400/,
  ],
  [
    'baseline too many steps',
    `${BASE}contract:\n  stepSeconds: 1\n  baselineSeconds: 36000\n`,
    /baselineSeconds must be from 1 to 10000 steps of stepSeconds \(1 s\)/,
  ],
  [
    'step tiny',
    `${BASE}contract:\n  stepSeconds: 0.001\n`,
    /contract\.stepSeconds: stepSeconds must be from 1 to 3600 seconds/,
  ],
  [
    'step huge',
    `${BASE}contract:\n  stepSeconds: 1e9\n`,
    /contract\.stepSeconds: stepSeconds must be from 1 to 3600 seconds/,
  ],
  [
    'warm-up too long',
    `${BASE}contract:\n  warmupSeconds: 1e6\n`,
    /warmupSeconds must be from 0 to 86400 seconds/,
  ],
  [
    'verification window',
    `${BASE}contract:\n  verification: { windowSeconds: 1e7 }\n`,
    /verification\.windowSeconds must be at most 86400/,
  ],
  [
    'extensions',
    `${BASE}contract:\n  promotion: { maxExtensions: 1e6 }\n`,
    /promotion\.maxExtensions must be a whole number from 0 to 100/,
  ],
  [
    'contract typo',
    `${BASE}contract:\n  bakeSecond: 600\n`,
    /contract\.bakeSecond: unknown field "bakeSecond"; did you mean "bakeSeconds"\?/,
  ],
  [
    'signal kind typo',
    `${BASE}contract:\n  signals:\n    - id: e\n      kind: error-rat\n      rules: [{ type: sequential }]\n`,
    /kind: expected one of .* \(did you mean "error-rate"\?\)/,
  ],
  [
    'signal without rules',
    `${BASE}contract:\n  signals:\n    - id: e\n      kind: error-rate\n`,
    /signals\[0\]\.rules: missing: add rules: a list/,
  ],
  [
    'signal window too long for the step',
    `${BASE}contract:\n  signals:\n    - id: e\n      kind: error-rate\n      windowSeconds: 86400\n      rules: [{ type: static, max: 0.1 }]\n`,
    /signals\[0\]\.windowSeconds: windowSeconds must be at most 1000 steps/,
  ],
  [
    'rule typo',
    `${BASE}contract:\n  signals:\n    - id: e\n      kind: error-rate\n      rules: [{ type: sequental }]\n`,
    /rules\[0\]\.type: expected one of .*did you mean "sequential"/,
  ],
  [
    'label name in selector',
    `${BASE}selector:\n  app-name: checkout\n`,
    /:10:3: selector\.app-name: "app-name" is not a Prometheus label name .*write app_name/,
  ],
  [
    'selector value a number',
    `${BASE}selector:\n  app: 1\n`,
    /selector\.app: expected a text value \(quote numbers: "1"\)/,
  ],
  [
    'source option typo',
    WITH_SOURCE('    timeout: 5\n'),
    /sources\.default\.timeout: unknown field "timeout"; did you mean "timeoutMs"\?/,
  ],
  [
    'bearer without token',
    WITH_SOURCE('    auth: { type: bearer }\n'),
    /auth\.token: missing: add token: a bearer token/,
  ],
  [
    'auth type',
    WITH_SOURCE('    auth: { type: token, token: x }\n'),
    /auth\.type: expected one of "bearer" \| "basic"/,
  ],
  ['tls ca', WITH_SOURCE('    tls: { ca: 5 }\n'), /tls\.ca: expected PEM text, or a list of PEM texts/],
  [
    'status label',
    WITH_SOURCE('    metrics: { statusLabel: "status-code" }\n'),
    /metrics\.statusLabel: must be a valid Prometheus label name/,
  ],
  [
    'credentials in the URL',
    BASE.replace('http://127.0.0.1', 'http://user:pass@127.0.0.1'),
    /:5:10: sources\.default\.url: must not contain credentials/,
  ],
  [
    'source timeout',
    WITH_SOURCE('    timeoutMs: 1e20\n'),
    /timeoutMs: must be a whole number of milliseconds from 1 to 600000/,
  ],
  [
    'dep',
    WITH_EXECUTOR('executor:\n  type: deployer\n  mode: command\n  selector: stage=prod\n  dep: 5\n'),
    /executor\.dep: expected the dep binary, or its command as a list/,
  ],
  [
    'gate',
    WITH_EXECUTOR('executor:\n  type: deployer\n  deployPath: /a\n  gate: { urls: x, consecutive: 0 }\n'),
    /gate\.urls: expected a list[\s\S]*gate\.consecutive: must be a whole number from 1 to 1000/,
  ],
  [
    'kubernetes without deployment',
    WITH_EXECUTOR('executor:\n  type: kubernetes\n  namespace: shop\n'),
    /executor\.deployment: missing: add deployment: a Deployment name/,
  ],
  [
    'kubernetes retries',
    WITH_EXECUTOR(
      'executor:\n  type: kubernetes\n  namespace: shop\n  deployment: a\n  conflictRetries: 1e9\n',
    ),
    /conflictRetries: must be a whole number from 0 to 100/,
  ],
  [
    'hmac without secret',
    `${BASE}state:\n  signing: { type: hmac }\n`,
    /state\.signing\.secret: missing: add secret/,
  ],
  [
    'new relic account',
    BASE.replace(
      'type: prometheus\n    url: http://127.0.0.1:9090',
      'type: newrelic\n    accountId: abc\n    apiKey: NRAK-XXXXXXXXXX',
    ),
    /sources\.default\.accountId: expected a whole number from 1 to/,
  ],
];

describe('configuration problems', () => {
  const tempDir = useTempDirs();

  it('reports all five problems of one file in one run, each with its line', async () => {
    const text = `service: checkout
contract:
  bakeSecond: 600
  stepSeconds: -5
sources:
  default:
    type: prometheus
    url: https://user:pass@prom.example.com:9090
executor:
  type: deployer
  mode: lokal
  deployPath: /var/www/app
notify:
  - type: json
    url: not-a-url
`;
    const error = await rejection(text);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(bullets(error)).toEqual([
      'rollgate.yaml:3:3: contract.bakeSecond: unknown field "bakeSecond"; did you mean "bakeSeconds"?',
      'rollgate.yaml:4:16: contract.stepSeconds: stepSeconds must be from 1 to 3600 seconds',
      'rollgate.yaml:8:10: sources.default.url: must not contain credentials; pass them as auth: { type: "basic", username, password }',
      'rollgate.yaml:11:9: executor.mode: expected one of "local" | "command" (did you mean "local"?)',
      'rollgate.yaml:15:10: notify[0].url: not a valid absolute URL; give the full webhook URL, e.g. https://hooks.example.com/rollgate',
    ]);
    // The credentials are never repeated.
    expect(error.message).not.toContain('pass@');
    const problems = error.details.problems as LocatedProblem[];
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [3, 'contract.bakeSecond'],
      [4, 'contract.stepSeconds'],
      [8, 'sources.default.url'],
      [11, 'executor.mode'],
      [15, 'notify[0].url'],
    ]);
  });

  it.each(REJECTIONS)(
    'refuses %s with the file, the line, the field and what to write',
    async (_name, text, expected) => {
      const error = await rejection(text);
      expect(error.code).toBe('CONFIG_INVALID');
      const lines = bullets(error);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line).toMatch(/^rollgate\.yaml:\d+:\d+: \S+: \S/);
        // zod's own words never reach the user.
        expect(line).not.toMatch(
          /Invalid input|Invalid option|Invalid key|Too small|Too big|Unrecognized key|expected (record|object|array|string|number|boolean|int)\b/,
        );
      }
      expect(error.message).toMatch(expected);
    },
  );

  it('accepts the largest values inside the documented bounds', async () => {
    const text = `${BASE}contract:
  stepSeconds: 60
  bakeSeconds: 604800
  baselineSeconds: 86400
  warmupSeconds: 86400
  coldStartSeconds: 86400
  alpha: 0.25
guardrails:
  settleMs: 300000
  cooldownSeconds: 2592000
timeouts:
  cutoverMs: 21600000
  gateMs: 21600000
  portMs: 600000
state:
  keep: 1000
`;
    const loaded = await parseConfig(text, '/srv/rollgate.yaml', {});
    expect(loaded.contract.bakeSeconds).toBe(604_800);
    expect(loaded.config.timeouts?.gateMs).toBe(21_600_000);
    const small = await parseConfig(
      `${BASE}contract:\n  stepSeconds: 1\n  alpha: 0.000001\n`,
      '/srv/rollgate.yaml',
      {},
    );
    expect(small.contract.alpha).toBe(1e-6);
  });

  it('checks label names where the source is known: Prometheus refuses what New Relic quotes', async () => {
    const signals = `contract:
  signals:
    - id: errors
      kind: error-rate
      selector: { app-name: checkout }
      segments: { by: region.name }
      rules: [{ type: sequential, test: concurrent, stableSelector: { "1track": stable } }]
`;
    const error = await rejection(`${BASE}${signals}`);
    expect(bullets(error)).toEqual([
      expect.stringMatching(
        /^rollgate\.yaml:13:19: contract\.signals\[0\]\.selector\.app-name: "app-name" is not a Prometheus label name .*; write app_name$/,
      ),
      expect.stringMatching(
        /^rollgate\.yaml:14:23: contract\.signals\[0\]\.segments\.by: "region\.name" is not .*; write region_name$/,
      ),
      expect.stringMatching(
        /^rollgate\.yaml:15:\d+: contract\.signals\[0\]\.rules\[0\]\.stableSelector\.1track: .*; write _1track$/,
      ),
    ]);
    const nr = BASE.replace(
      'type: prometheus\n    url: http://127.0.0.1:9090',
      'type: newrelic\n    accountId: 1\n    apiKey: NRAK-XXXXXXXXXX',
    );
    expect(
      (await parseConfig(`${nr}${signals}`, '/srv/rollgate.yaml', {})).contract.signals[0]?.segments?.by,
    ).toBe('region.name');
    expect(bullets(await rejection(`${BASE}selector:\n  __name__: up\n`))).toEqual([
      expect.stringContaining(
        "selector.__name__: __name__ cannot be matched here: the signal's kind chooses the metric",
      ),
    ]);
  });

  it('refuses a YAML alias bomb as CONFIG_INVALID (exit 2, no stack trace)', async () => {
    const dir = await tempDir();
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    const names = 'bcdefghi';
    for (let i = 0; i < names.length; i++) {
      const prev = i === 0 ? 'a' : names[i - 1];
      lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    await writeFile(join(dir, 'rollgate.yaml'), `${lines.join('\n')}\nservice: x\n`);
    const io = memoryIo({ cwd: dir });
    expect(await main(['config', 'check'], io)).toBe(2);
    expect(io.err()).toContain('rollgate config: CONFIG_INVALID: rollgate.yaml cannot be read:');
    expect(io.err()).toContain('rollgate.yaml:1:1: (root): its aliases (*name) expand too far');
    expect(io.err()).not.toMatch(/\n\s+at /);
  });
});
