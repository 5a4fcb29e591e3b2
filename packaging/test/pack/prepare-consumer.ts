import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { allSnippets, type Snippet, snippetFileName } from '../../src/doc-snippets';
import { type CommandResult, mustRun, runCommand } from '../../src/run-command';
import { moduleSubpaths, publishedPackages, REPO_ROOT, specifier } from '../../src/workspace-packages';

/** What the global setup prepared, for the tests (`inject('packaging')`). */
export interface Prepared {
  readonly work: string;
  /** Per package folder: its name, tarball, unpacked tarball and the specifiers it exports. */
  readonly packages: readonly {
    readonly folder: string;
    readonly name: string;
    readonly tarball: string;
    readonly unpacked: string;
    readonly specifiers: readonly string[];
  }[];
  /** A project with every package installed (and vitest, fast-check, @types/node). */
  readonly full: string;
  /** A Deployer user's project: @rollgate/cli, the Deployer executor and the Prometheus source. */
  readonly cli: string;
  readonly snippets: readonly (Snippet & { readonly file: string })[];
  readonly tsc: {
    readonly node16: CommandResult;
    readonly bundler: CommandResult;
    readonly nodenext: CommandResult;
  };
  readonly timings: Readonly<Record<string, number>>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    packaging: Prepared;
  }
}

const ROOT_MANIFEST = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function storeDir(): string {
  return mustRun('pnpm', ['store', 'path'], { cwd: REPO_ROOT }).stdout.trim();
}

/** Installs `dependencies` into a fresh project `dir` outside the workspace, with pnpm. */
function install(
  dir: string,
  dependencies: Record<string, string>,
  overrides: Record<string, string>,
  store: string,
): void {
  mkdirSync(dir, { recursive: true });
  const manifest = {
    name: 'rollgate-consumer',
    private: true,
    type: 'module',
    dependencies,
    pnpm: { overrides },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  mustRun(
    'pnpm',
    [
      'install',
      '--prefer-offline',
      '--store-dir',
      store,
      '--config.auto-install-peers=true',
      '--config.strict-peer-dependencies=false',
      '--reporter=append-only',
    ],
    { cwd: dir, env: { ...process.env, CI: '1' }, timeoutMs: 900_000 },
  );
}

function tsconfig(dir: string, name: string, options: Record<string, unknown>, include: string[]): string {
  const file = join(dir, name);
  const config = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      strict: true,
      skipLibCheck: false,
      types: ['node'],
      ...options,
    },
    include,
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

export default async function setup(project: TestProject): Promise<() => void> {
  const timings: Record<string, number> = {};
  const time = <T>(label: string, task: () => T): T => {
    const started = Date.now();
    try {
      return task();
    } finally {
      timings[label] = Date.now() - started;
    }
  };
  const work = mkdtempSync(join(tmpdir(), 'rollgate-packaging-'));
  const packages = publishedPackages();

  // 1. Build and pack every package, as `pnpm publish` would (publishConfig applied).
  if (process.env.ROLLGATE_PACKAGING_REUSE_DIST !== '1') {
    time('build', () =>
      mustRun('pnpm', ['-r', '--filter', './packages/*', 'run', 'build'], {
        cwd: REPO_ROOT,
        timeoutMs: 1_500_000,
      }),
    );
  }
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const packed = time('pack', () =>
    packages.map((pkg) => {
      const before = new Set(readdirSync(tarballs));
      mustRun('pnpm', ['pack', '--pack-destination', tarballs], { cwd: pkg.dir });
      const tarball = readdirSync(tarballs).find((f) => !before.has(f));
      if (!tarball) throw new Error(`pnpm pack wrote no tarball for ${pkg.manifest.name}`);
      const unpacked = join(work, 'unpacked', pkg.folder);
      mkdirSync(unpacked, { recursive: true });
      mustRun('tar', ['xzf', join(tarballs, tarball), '-C', unpacked, '--strip-components=1'], { cwd: work });
      const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as {
        exports?: Record<string, never>;
      };
      return {
        folder: pkg.folder,
        name: pkg.manifest.name,
        tarball: join(tarballs, tarball),
        unpacked,
        specifiers: moduleSubpaths(manifest.exports).map((subpath) => specifier(pkg.manifest.name, subpath)),
      };
    }),
  );
  const overrides = Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`]));

  // 2. Install the tarballs into projects outside the workspace.
  const store = storeDir();
  const full = join(work, 'full');
  const cli = join(work, 'cli');
  const dev = (name: string): string => ROOT_MANIFEST.devDependencies[name] ?? '*';
  const coreZod =
    packages.find((p) => p.manifest.name === '@rollgate/core')?.manifest.dependencies?.zod ?? '*';
  const prometheusUndici =
    packages.find((p) => p.manifest.name === '@rollgate/prometheus-source')?.manifest.dependencies?.undici ??
    '*';
  time('install full', () =>
    install(
      full,
      {
        ...overrides,
        vitest: dev('vitest'),
        'fast-check': dev('fast-check'),
        '@types/node': dev('@types/node'),
        // The docs bring their own undici dispatcher (a proxy) to the Prometheus source.
        undici: prometheusUndici,
        // An adapter declares its options with zod (docs/writing-an-adapter.md), as core does.
        zod: coreZod,
      },
      overrides,
      store,
    ),
  );
  time('install cli', () =>
    install(
      cli,
      {
        '@rollgate/cli': overrides['@rollgate/cli'] ?? '',
        // Named directly so pnpm does not look the adapters' peer up in the registry.
        '@rollgate/core': overrides['@rollgate/core'] ?? '',
        '@rollgate/deployer-executor': overrides['@rollgate/deployer-executor'] ?? '',
        '@rollgate/prometheus-source': overrides['@rollgate/prometheus-source'] ?? '',
        yaml: '^2.8.0',
      },
      overrides,
      store,
    ),
  );

  // 3. Type-check every entry point and every TypeScript snippet of the docs, as npm users would.
  const specifiers = packed.flatMap((p) => p.specifiers);
  mkdirSync(join(full, 'types'));
  writeFileSync(
    join(full, 'types', 'entry-points.ts'),
    `${specifiers.map((s, i) => `import * as m${i} from '${s}';`).join('\n')}\n\nexport const modules: readonly object[] = [${specifiers.map((_, i) => `m${i}`).join(', ')}];\n`,
  );
  writeFileSync(
    join(full, 'types', 'require.cts'),
    `${specifiers.map((s, i) => `import m${i} = require('${s}');`).join('\n')}\n\nexport const modules: readonly object[] = [${specifiers.map((_, i) => `m${i}`).join(', ')}];\n`,
  );
  mkdirSync(join(full, 'snippets'));
  const snippets = allSnippets()
    .filter((s) => s.lang === 'ts')
    .map((s) => {
      const file = join('snippets', snippetFileName(s, 'ts'));
      // `export {}` keeps every snippet a module of its own.
      writeFileSync(join(full, file), `${s.code}\nexport {};\n`);
      return { ...s, file };
    });
  const node16 = tsconfig(
    full,
    'tsconfig.node16.json',
    { module: 'node16', moduleResolution: 'node16', outDir: 'out', rootDir: '.' },
    ['types/entry-points.ts', 'snippets/*.ts'],
  );
  const bundler = tsconfig(
    full,
    'tsconfig.bundler.json',
    { module: 'esnext', moduleResolution: 'bundler', noEmit: true },
    ['types/entry-points.ts', 'snippets/*.ts'],
  );
  const nodenext = tsconfig(
    full,
    'tsconfig.nodenext-cjs.json',
    { module: 'nodenext', moduleResolution: 'nodenext', noEmit: true },
    ['types/require.cts'],
  );
  const tsc = (config: string): CommandResult =>
    runCommand(process.execPath, [TSC, '-p', config, '--pretty', 'false'], { cwd: full, timeoutMs: 600_000 });
  const checks = time('type-check', () => ({
    node16: tsc(node16),
    bundler: tsc(bundler),
    nodenext: tsc(nodenext),
  }));

  const prepared: Prepared = {
    work,
    packages: packed,
    full,
    cli,
    snippets,
    tsc: checks,
    timings,
  };
  project.provide('packaging', prepared);
  return () => {
    if (process.env.ROLLGATE_PACKAGING_KEEP !== '1' && existsSync(work))
      rmSync(work, { recursive: true, force: true });
  };
}
