import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { allSnippets } from '../../src/doc-snippets';
import { type CommandResult, runCommand } from '../../src/run-command';

// A Deployer user's project: @rollgate/cli with the Deployer executor and the Prometheus source.
const prepared = inject('packaging');
const BIN = join(prepared.cli, 'node_modules', '@rollgate', 'cli', 'bin', 'rollgate.js');
let dir = '';

/** Runs the installed `rollgate` in `cwd`, recording every module it loads. */
function rollgate(
  args: readonly string[],
  cwd = dir,
  env: Readonly<Record<string, string>> = {},
): CommandResult & { modules: string[] } {
  const trace = join(dir, `trace-${Math.random().toString(36).slice(2)}.txt`);
  const result = runCommand(process.execPath, ['--import', join(dir, 'trace.mjs'), BIN, ...args], {
    cwd,
    env: { ...process.env, ...env, ROLLGATE_TRACE_FILE: trace },
    timeoutMs: 300_000,
  });
  const modules = existsSync(trace) ? readFileSync(trace, 'utf8').split('\n').filter(Boolean) : [];
  return { ...result, modules };
}

/** The packages (not files) among module URLs. */
function packagesOf(modules: readonly string[]): string[] {
  const names = modules.flatMap((url) => {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(url);
    return match?.[1] ? [match[1]] : [];
  });
  return [...new Set(names)].sort();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollgate-cli-'));
  writeFileSync(
    join(dir, 'trace-hooks.mjs'),
    "import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const result = await next(specifier, context);\n  if (result.url.startsWith('file:')) appendFileSync(process.env.ROLLGATE_TRACE_FILE, result.url + '\\n');\n  return result;\n}\n",
  );
  writeFileSync(
    join(dir, 'trace.mjs'),
    "import { register } from 'node:module';\nregister('./trace-hooks.mjs', import.meta.url);\n",
  );
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('@rollgate/cli installed for a Deployer user', () => {
  it('installs neither the Kubernetes client, nor fast-check, vitest or testkit', () => {
    const installed = readdirSync(join(prepared.cli, 'node_modules', '.pnpm'));
    for (const absent of [
      '@kubernetes+client-node',
      'fast-check',
      'vitest',
      '@rollgate+testkit',
      '@rollgate+k8s-executor',
    ])
      expect(
        installed.filter((entry) => entry.startsWith(`${absent}@`)),
        absent,
      ).toEqual([]);
  });

  it('prints its help without loading an adapter, zod, YAML, undici, the Kubernetes client or fast-check', () => {
    const result = rollgate(['--help']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Commands:');
    // Nothing but the CLI and, from core, its dependency-free redactor entry point (stdout and
    // stderr are redacted from the first byte).
    expect(packagesOf(result.modules).filter((p) => p !== '@rollgate/cli')).toEqual(['@rollgate/core']);
    const core = result.modules.filter((m) => m.includes('/@rollgate/core/'));
    expect(
      core.some((m) => m.endsWith('/dist/node/secret-redactor.js')),
      core.join('\n'),
    ).toBe(true);
    expect(core.length, core.join('\n')).toBeLessThanOrEqual(2);
  });

  it('checks a starter configuration without loading undici, the Kubernetes client or fast-check', () => {
    const init = rollgate(['init', '--service', 'checkout']);
    expect(init.status, init.stderr).toBe(0);
    const check = rollgate(['config', 'check']);
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('is valid');
    const loaded = packagesOf(check.modules);
    for (const heavy of ['undici', '@kubernetes/client-node', 'fast-check'])
      expect(loaded).not.toContain(heavy);
  });

  it('names the adapter to install, in one line, when the configuration needs a missing one', () => {
    const config = readFileSync(join(dir, 'rollgate.yaml'), 'utf8');
    const cases = [
      {
        file: 'newrelic.yaml',
        text: config.replace(
          /type: prometheus\n\s+url: [^\n]+/,
          'type: newrelic\n    accountId: 1234567\n    apiKey: NRAK-EXAMPLE',
        ),
        hint: 'npm install @rollgate/newrelic-source',
      },
      {
        file: 'kubernetes.yaml',
        text: config.replace(
          /type: deployer\n\s+mode: local[^\n]*\n\s+deployPath: [^\n]+/,
          'type: kubernetes\n  namespace: shop\n  deployment: checkout',
        ),
        hint: 'npm install @rollgate/k8s-executor',
      },
    ];
    for (const c of cases) {
      expect(c.text).not.toBe(config);
      writeFileSync(join(dir, c.file), c.text);
      const result = rollgate(['config', 'check', '--config', c.file]);
      expect(result.status, result.stdout).toBe(2);
      // The missing package and the install command, on one line (the file's other fields are
      // fine, so it is the only problem).
      const hints = result.stderr.split('\n').filter((l) => l.includes(c.hint));
      expect(hints, result.stderr).toHaveLength(1);
      expect(hints[0]).toMatch(/needs @rollgate\/\S+, which is not installed/);
      expect(result.stderr.match(/needs @rollgate\//g), result.stderr).toHaveLength(1);
    }
  });

  it('validates every complete rollgate.yaml of the documentation', () => {
    const configs = allSnippets().filter((s) => s.lang === 'yaml' && /^service:/m.test(s.code));
    expect(configs.length).toBeGreaterThan(0);
    for (const snippet of configs) {
      writeFileSync(join(dir, 'doc.yaml'), snippet.code);
      // The variables the example reads, as the reader would export them.
      const env = Object.fromEntries(
        [...snippet.code.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map(([, name = '']) => [
          name,
          name.endsWith('_URL') ? 'https://hooks.example.com/T000/B000' : 'example-secret-value',
        ]),
      );
      const result = rollgate(['config', 'check', '--config', 'doc.yaml'], dir, env);
      expect(result.status, `${snippet.doc}:${snippet.line}\n${result.stderr}`).toBe(0);
    }
  });

  it('reports its install size', () => {
    const du = runCommand('du', ['-sk', '--apparent-size', join(prepared.cli, 'node_modules')], {
      cwd: prepared.cli,
    });
    const packages = readdirSync(join(prepared.cli, 'node_modules', '.pnpm')).filter((e) => e.includes('@'));
    const kib = Number(du.stdout.split(/\s/)[0]);
    console.log(
      `@rollgate/cli + deployer-executor + prometheus-source: ${packages.length} packages, ${(kib / 1024).toFixed(1)} MiB`,
    );
    expect(kib).toBeGreaterThan(0);
    // The Kubernetes client alone was 54 MB of the 88 MB; without it and testkit the install is small.
    expect(kib / 1024).toBeLessThan(30);
  });
});
