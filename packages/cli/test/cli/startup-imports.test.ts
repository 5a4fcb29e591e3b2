import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/command-registry';
import { BIN, cleanEnv, PACKAGE_DIR } from '../support/cli-process';
import { packagesInImportLog, STARTUP_CONFIG_YAML } from '../support/import-log';
import { useTempDirs } from '../support/temp-dir';

const run = promisify(execFile);
const RECORDER = fileURLToPath(new URL('../support/import-recorder.mjs', import.meta.url));

/**
 * Packages only some commands need: the HTTP client (sources, webhooks), the Kubernetes client,
 * the PostgreSQL driver, and fast-check (property tests). `--help` and `config check` must not
 * load them: every command and adapter is imported when it runs (command-registry.ts,
 * config/adapter-registry.ts), and an adapter's options schema comes from its light `/options`
 * entry point.
 */
const HEAVY = ['undici', '@kubernetes/client-node', 'pg', 'fast-check'] as const;

/**
 * A command's definition (its help), the help the control commands share, and the configuration
 * file names `init` names in its help.
 */
const HELP_MODULE =
  /\/packages\/cli\/src\/(commands\/[a-z-]+|control\/control-help|config\/config-files)\.ts$/;

/** The packages a CLI run resolved, by name, from the recorder's log of module URLs. */
async function packagesLoaded(args: readonly string[], dir: string): Promise<Set<string>> {
  return packagesInImportLog([...(await modulesLoaded(args, dir))].join('\n'));
}

/** The module URLs a CLI run resolved, from the recorder's log. */
async function modulesLoaded(args: readonly string[], dir: string): Promise<Set<string>> {
  const log = join(dir, 'imports.log');
  await writeFile(log, '');
  const node = ['--conditions=source', '--import', 'tsx', '--import', RECORDER, BIN, ...args];
  // Run in the package directory, as the other end-to-end tests do, so `--import tsx` resolves.
  const result = await run(process.execPath, node, {
    cwd: PACKAGE_DIR,
    env: { ...cleanEnv(), ROLLGATE_IMPORT_LOG: log },
    timeout: 60_000,
  }).catch((error: { code?: number; stdout?: string; stderr?: string }) => error);
  const stderr = 'stderr' in result ? result.stderr : '';
  expect(
    'code' in result && typeof result.code === 'number' ? result.code : 0,
    `rollgate ${args.join(' ')} failed:\n${stderr}`,
  ).toBe(0);
  return new Set((await readFile(log, 'utf8')).split('\n').filter((line) => line !== ''));
}

describe('CLI start-up loads only what the command needs', () => {
  const tempDir = useTempDirs();

  it('rollgate --help loads no adapter dependency and no schema library', async () => {
    const loaded = await packagesLoaded(['--help'], await tempDir());
    for (const name of HEAVY) expect(loaded, `--help loaded ${name}`).not.toContain(name);
    expect(loaded, '--help loaded zod').not.toContain('zod');
  }, 90_000);

  it("every command's own --help loads its definition only: no run, schema library or adapter", async () => {
    const dir = await tempDir();
    const base = await modulesLoaded(['--help'], dir);
    for (const { name: command } of COMMANDS) {
      const loaded = await modulesLoaded([command, '--help'], dir);
      const names = packagesInImportLog([...loaded].join('\n'));
      for (const name of [...HEAVY, 'zod', 'yaml'])
        expect(names, `${command} --help loaded ${name}`).not.toContain(name);
      // Beyond what `rollgate --help` loads: the command's own module and the help it shares.
      const extra = [...loaded].filter((url) => !base.has(url));
      expect(extra.length, `${command} --help loaded nothing of its own`).toBeGreaterThan(0);
      for (const url of extra)
        expect(url, `${command} --help loaded more than its definition`).toMatch(HELP_MODULE);
    }
  }, 300_000);

  it('rollgate config check of a Prometheus + Deployer config loads neither undici, the Kubernetes client, pg nor fast-check', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'rollgate.yaml'), STARTUP_CONFIG_YAML);
    const loaded = await packagesLoaded(['config', 'check', '--config', join(dir, 'rollgate.yaml')], dir);
    // It does validate: the schemas (zod) and the YAML parser are loaded, so the recorder works.
    expect(loaded).toContain('zod');
    expect(loaded).toContain('yaml');
    for (const name of HEAVY) expect(loaded, `config check loaded ${name}`).not.toContain(name);
  }, 90_000);
});
