import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { describe, expect, inject, it } from 'vitest';
import { runCommand } from '../../src/run-command';
import { exportConditions, exportedFiles, type Manifest, REPO_ROOT } from '../../src/workspace-packages';

const prepared = inject('packaging');
const ATTW = join(REPO_ROOT, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');

describe.each(prepared.packages)('the $name tarball', (pkg) => {
  const manifest = JSON.parse(readFileSync(join(pkg.unpacked, 'package.json'), 'utf8')) as Manifest;
  const workspace = JSON.parse(
    readFileSync(join(REPO_ROOT, 'packages', pkg.folder, 'package.json'), 'utf8'),
  ) as Manifest;

  it('publishes exports with types and default conditions only (no source), all shipped', () => {
    expect(exportConditions(manifest.exports)).toEqual(['default', 'types']);
    // pnpm replaced the workspace's exports (with `source`) by publishConfig.exports.
    expect(manifest.exports).toEqual(workspace.publishConfig?.exports);
    expect(manifest.publishConfig?.exports).toBeUndefined();
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      for (const file of exportedFiles(target ?? null))
        expect(existsSync(join(pkg.unpacked, file)), `${subpath} -> ${file}`).toBe(true);
    }
    for (const file of Object.values(manifest.bin ?? {}))
      expect(existsSync(join(pkg.unpacked, file))).toBe(true);
  });

  it('ships README.md, LICENSE, CHANGELOG.md and repository, and no sources or tests', () => {
    for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md'])
      expect(existsSync(join(pkg.unpacked, file)), file).toBe(true);
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\/github\.com\//);
    expect(existsSync(join(pkg.unpacked, 'src'))).toBe(false);
    expect(existsSync(join(pkg.unpacked, 'test'))).toBe(false);
  });

  it('has no workspace: ranges left in its dependencies', () => {
    const ranges = [manifest.dependencies, manifest.peerDependencies].flatMap((d) => Object.values(d ?? {}));
    expect(ranges.filter((r) => r.startsWith('workspace:'))).toEqual([]);
  });

  it('passes publint with no error or warning', async () => {
    const { messages } = await publint({ pkgDir: pkg.unpacked, pack: false, level: 'warning' });
    expect(
      messages.map((m) => `${m.type} ${m.code} ${JSON.stringify(m.args)} at ${m.path.join('.')}`),
    ).toEqual([]);
  });

  it('passes are-the-types-wrong (ESM-only profile: node16 ESM and bundler resolution)', () => {
    const result = runCommand(
      process.execPath,
      [
        ATTW,
        pkg.tarball,
        '--profile',
        'esm-only',
        '--no-definitely-typed',
        '--format',
        'ascii',
        '--no-color',
      ],
      { cwd: prepared.work, timeoutMs: 300_000 },
    );
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  });
});
