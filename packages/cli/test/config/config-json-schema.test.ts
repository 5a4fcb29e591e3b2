// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the configuration's reference syntax, written literally.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import packageJson from '../../package.json' with { type: 'json' };
import { main } from '../../src/cli/main';
import { CONFIG_SCHEMA_FILE, configJsonSchemaText } from '../../src/config/config-json-schema';
import { parseConfig } from '../../src/config/load-config';
import { starterConfig } from '../../src/config/starter-config';
import { checkJsonSchema, unknownKeywords } from '../support/json-schema-check';
import { memoryIo } from '../support/memory-io';
import { useTempDirs } from '../support/temp-dir';

const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SHIPPED = join(PACKAGE_DIR, CONFIG_SCHEMA_FILE);

/** Values for every variable the starter's examples refer to. */
const ENV = {
  PROMETHEUS_TOKEN: 'prom-token-0123456789',
  NEW_RELIC_ACCOUNT_ID: '1234567',
  NEW_RELIC_API_KEY: 'NRAK-ABCDEFGHIJKLMNOPQRSTUVWXYZ0',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/abcdef0123456789',
  PAGERDUTY_ROUTING_KEY: 'pd-routing-key-0123456789abcdef',
  HOOK_TOKEN: 'hook-token-0123456789',
  ROLLGATE_SIGNING_SECRET: 'a-shared-secret-of-at-least-32-bytes!!',
};

interface Example {
  readonly name: string;
  readonly text: string;
}

/**
 * Every commented example of the starter, uncommented: an indented one in place (it adds to its
 * section), one at the left margin in place of the section it names (`# executor:` replaces
 * `executor:`). Prose comments (`# Or a Kubernetes Deployment:`) are not YAML and are left alone.
 */
function uncommentedExamples(text: string): Example[] {
  const lines = text.split('\n');
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = /^(\s*)# ([A-Za-z_][\w-]*):(\s|$)/.exec(lines[i] as string);
    if (!start || start[2] === 'yaml-language-server') continue;
    const indent = start[1] as string;
    let end = i + 1;
    while (end < lines.length && new RegExp(`^${indent}# {2,}\\S`).test(lines[end] as string)) end++;
    const block = lines.slice(i, end).map((l) => l.replace(`${indent}# `, indent));
    let out = [...lines.slice(0, i), ...block, ...lines.slice(end)];
    if (indent === '') {
      const key = start[2] as string;
      const from = out.findIndex((l, j) => (j < i || j >= i + block.length) && l.startsWith(`${key}:`));
      if (from === -1) throw new Error(`no section ${key} for the example at line ${i + 1}`);
      let to = from + 1;
      while (to < out.length && /^\s+\S/.test(out[to] as string)) to++;
      out = [...out.slice(0, from), ...out.slice(to)];
    }
    examples.push({ name: `line ${i + 1}: ${lines[i]?.trim()}`, text: out.join('\n') });
    i = end - 1;
  }
  return examples;
}

describe('the configuration JSON Schema', () => {
  const tempDir = useTempDirs();

  it('is shipped in the package and equal to the one generated from the zod schemas', async () => {
    const shipped = await readFile(SHIPPED, 'utf8');
    // Compared as data: a formatter may lay the file out differently.
    expect(
      JSON.parse(shipped),
      `${SHIPPED} is stale: run \`pnpm --filter @rollgate/cli run schema\` and commit it`,
    ).toEqual(JSON.parse(await configJsonSchemaText()));
    expect(packageJson.files).toContain(CONFIG_SCHEMA_FILE.split('/')[0]);
    expect(packageJson.exports['./rollgate.schema.json']).toBe(`./${CONFIG_SCHEMA_FILE}`);
    const schema = JSON.parse(shipped) as Record<string, unknown>;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(unknownKeywords(schema)).toEqual([]);
  });

  it('accepts the starter and refuses what rollgate refuses, as an editor would show it', async () => {
    const schema = JSON.parse(await readFile(SHIPPED, 'utf8')) as unknown;
    expect(checkJsonSchema(schema, parse(starterConfig('checkout')))).toEqual([]);
    const bad = parse(`service: checkout
contract: { bakeSecond: 600, stepSeconds: -5 }
sources: { default: { type: prometheus, url: "http://p:9090", timeoutMs: 1e20 } }
executor: { type: deployer, mode: lokal, deployPath: /a }
guardrails: { settleMs: "\${SETTLE_MS}" }
colour: blue
`);
    const problems = checkJsonSchema(schema, bad);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\$\.contract\.bakeSecond: not allowed/),
        expect.stringMatching(/^\$\.contract\.stepSeconds: below minimum/),
        expect.stringMatching(/^\$\.colour: not allowed/),
        expect.stringMatching(/^\$\.executor: matches 0 of oneOf/),
        expect.stringMatching(/^\$\.sources\.default: matches 0 of oneOf/),
      ]),
    );
    // A ${NAME} reference is accepted where a number goes: it is substituted before validation.
    expect(problems.some((p) => p.includes('settleMs'))).toBe(false);
  });

  it('every commented example of the starter is valid once uncommented', async () => {
    const schema = JSON.parse(await configJsonSchemaText()) as unknown;
    const examples = uncommentedExamples(starterConfig('checkout'));
    expect(examples.map((e) => e.name)).toEqual([
      expect.stringContaining('# alpha: 0.01'),
      expect.stringContaining('# promotion:'),
      expect.stringContaining('# verification:'),
      expect.stringContaining('# auth:'),
      expect.stringContaining('# headers:'),
      expect.stringContaining('# metrics:'),
      expect.stringContaining('# newrelic:'),
      expect.stringContaining('# gate:'),
      expect.stringContaining('# executor:'),
      expect.stringContaining('# executor:'),
      expect.stringContaining('# keep: 5'),
      expect.stringContaining('# signing:'),
      expect.stringContaining('# notify:'),
      expect.stringContaining('# killSwitchFile:'),
    ]);
    for (const example of examples) {
      let loaded: Awaited<ReturnType<typeof parseConfig>> | undefined;
      try {
        loaded = await parseConfig(example.text, '/srv/app/rollgate.yaml', ENV);
      } catch (error) {
        throw new Error(`${example.name} is not valid when uncommented:\n${(error as Error).message}`);
      }
      expect(loaded.config.service, example.name).toBe('checkout');
      expect(checkJsonSchema(schema, parse(example.text)), example.name).toEqual([]);
    }
    const kinds = await Promise.all(
      examples.map(async (e) => (await parseConfig(e.text, '/srv/app/rollgate.yaml', ENV)).config),
    );
    expect(kinds.some((c) => c.executor.type === 'kubernetes')).toBe(true);
    expect(kinds.some((c) => c.executor.type === 'deployer' && c.executor.mode === 'command')).toBe(true);
    expect(kinds.some((c) => c.notify.length === 3)).toBe(true);
    expect(kinds.some((c) => c.state.signing.type === 'hmac')).toBe(true);
  });

  it('rollgate init writes the $schema line, pointing at the shipped schema from where the file is', async () => {
    const dir = await tempDir();
    const ok = memoryIo({ cwd: dir });
    expect(await main(['init', '--service', 'checkout'], ok)).toBe(0);
    const text = await readFile(join(dir, 'rollgate.yaml'), 'utf8');
    const first = text.split('\n')[0] as string;
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(match, first).not.toBeNull();
    expect(resolve(dir, match?.[1] as string)).toBe(SHIPPED);
    expect(await main(['config', 'check'], memoryIo({ cwd: dir }))).toBe(0);
  });
});
