import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type ExportTarget,
  exportConditions,
  moduleSubpaths,
  publishedPackages,
  REPO_ROOT,
  REPOSITORY_URL,
} from '../src/workspace-packages';

// The conventions every published package follows (docs/packaging.md). Packages are found by
// folder, so a new package is held to them as soon as it exists.
const packages = publishedPackages();
const LICENSE = readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8');

function withoutSource(exports: Readonly<Record<string, ExportTarget>>): Record<string, ExportTarget> {
  return Object.fromEntries(
    Object.entries(exports).map(([subpath, target]) => [
      subpath,
      target === null || typeof target === 'string'
        ? target
        : Object.fromEntries(Object.entries(target).filter(([condition]) => condition !== 'source')),
    ]),
  );
}

describe('published package conventions', () => {
  it('finds the packages under packages/', () => {
    expect(packages.map((p) => p.manifest.name)).toContain('@rollgate/core');
    expect(packages.length).toBeGreaterThanOrEqual(7);
  });

  for (const { folder, dir, manifest } of packages) {
    describe(manifest.name, () => {
      it('is named @rollgate/<something>, ESM, side-effect free, Apache-2.0, Node >= 20.19', () => {
        expect(manifest.name).toMatch(/^@rollgate\/[a-z0-9-]+$/);
        expect(manifest.description?.length ?? 0).toBeGreaterThan(20);
        expect(manifest.type).toBe('module');
        expect(manifest.sideEffects).toBe(false);
        expect(manifest.license).toBe('Apache-2.0');
        expect(manifest.engines?.node).toBe('>=20.19');
      });

      it('points at its folder of the repository', () => {
        expect(manifest.repository).toEqual({
          type: 'git',
          url: `git+${REPOSITORY_URL}.git`,
          directory: `packages/${folder}`,
        });
        expect(manifest.homepage).toBe(`${REPOSITORY_URL}/tree/main/packages/${folder}#readme`);
      });

      it('ships dist, README.md, LICENSE (the repository one) and CHANGELOG.md', () => {
        expect(manifest.files).toEqual(
          expect.arrayContaining(['dist', 'README.md', 'LICENSE', 'CHANGELOG.md']),
        );
        expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(LICENSE);
        expect(existsSync(join(dir, 'CHANGELOG.md'))).toBe(true);
        expect(manifest.publishConfig?.access).toBe('public');
      });

      it('resolves to its sources in the workspace and publishes exports without the source condition', () => {
        const exports = manifest.exports ?? {};
        expect(exports['.']).toBeDefined();
        expect(exports['./package.json']).toBe('./package.json');
        expect(exports['./internal/*']).toBeNull();
        for (const subpath of moduleSubpaths(exports)) {
          const target = exports[subpath] as Record<string, string>;
          // types first, default last: the order Node and TypeScript read conditions in.
          expect(Object.keys(target), subpath).toEqual(['source', 'types', 'default']);
          const stem = target.source?.replace(/^\.\/src\//, '').replace(/\.ts$/, '');
          expect(target.source, subpath).toMatch(/^\.\/src\/.+\.ts$/);
          expect(target.types, subpath).toBe(`./dist/${stem}.d.ts`);
          expect(target.default, subpath).toBe(`./dist/${stem}.js`);
          expect(existsSync(join(dir, target.source ?? '')), target.source).toBe(true);
        }
        expect(manifest.publishConfig?.exports).toEqual(withoutSource(exports));
        expect(exportConditions(manifest.publishConfig?.exports)).toEqual(['default', 'types']);
      });

      it('builds every exported entry point with tsup', () => {
        const config = readFileSync(join(dir, 'tsup.config.ts'), 'utf8');
        for (const subpath of moduleSubpaths(manifest.exports)) {
          const source = (manifest.exports?.[subpath] as Record<string, string> | undefined)?.source ?? '';
          expect(config, `tsup.config.ts entry for ${subpath}`).toContain(`'${source.slice(2)}'`);
        }
        expect(config).toContain("format: ['esm']");
      });

      it('takes other @rollgate packages as peers (one copy of core), except the CLI, which depends on core', () => {
        const deps = Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@rollgate/'));
        if (manifest.bin === undefined) {
          expect(deps).toEqual([]);
          if (manifest.name !== '@rollgate/core')
            expect(manifest.peerDependencies?.['@rollgate/core']).toBeDefined();
        } else {
          expect(deps).toEqual(['@rollgate/core']);
          for (const peer of Object.keys(manifest.peerDependencies ?? {}))
            expect(manifest.peerDependenciesMeta?.[peer]?.optional, peer).toBe(true);
        }
      });

      it('has a README for npm: title, install, an example, and only absolute links', () => {
        const readme = readFileSync(join(dir, 'README.md'), 'utf8');
        expect(readme.startsWith(`# ${manifest.name}\n`)).toBe(true);
        expect(readme).toMatch(
          new RegExp(`npm install (?:--?[\\w-]+ )*${manifest.name.replace('/', '\\/')}\\b`),
        );
        expect(readme).toMatch(/```(ts|sh)\n/);
        // npm shows the README without the repository around it: ../../docs links break there.
        const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
        for (const link of links) expect(link, link).toMatch(/^(https:\/\/|#)/);
        for (const link of links.filter((l) => l.startsWith(`${REPOSITORY_URL}/blob/main/`))) {
          const path = link.slice(`${REPOSITORY_URL}/blob/main/`.length).split('#')[0] ?? '';
          expect(existsSync(join(REPO_ROOT, path)), link).toBe(true);
        }
      });
    });
  }
});

// `changeset version` refuses a changeset whose front matter it cannot read, and a Markdown
// formatter reads `'@rollgate/core': minor` followed by `---` as a heading: the front matter is
// checked here (biome leaves .changeset/*.md alone).
describe('changesets', () => {
  const dir = join(REPO_ROOT, '.changeset');
  const names = new Set(packages.map((p) => p.manifest.name));
  const files = readdirSync(dir).filter((file) => file.endsWith('.md') && file !== 'README.md');

  for (const file of files) {
    it(`${file} names published packages and a bump in its front matter`, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const front = /^---\n((?:.+\n)+?)---\n\n\S/.exec(text);
      expect(
        front,
        `${file}: front matter is "---", one "'@rollgate/<name>': patch|minor|major" a line, "---", a blank line, the text`,
      ).not.toBeNull();
      for (const line of (front?.[1] ?? '').trimEnd().split('\n')) {
        const entry = /^'(@rollgate\/[a-z0-9-]+)': (patch|minor|major)$/.exec(line);
        expect(entry, `${file}: "${line}"`).not.toBeNull();
        expect(names, `${file}: ${entry?.[1]} is not a published package`).toContain(entry?.[1]);
      }
    });
  }
});
