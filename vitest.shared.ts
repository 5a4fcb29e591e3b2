import type { UserWorkspaceConfig } from 'vitest/config';

/**
 * Settings every package's vitest project shares. Workspace packages resolve each other through
 * the `source` export condition, so tests run against `src/` without a build. No `import`
 * condition here: vitest applies these to require() inside CommonJS packages too, where
 * `import` would pick a dependency's ESM build (pg requiring pg-pool's ESM entry breaks);
 * ES imports get `import` anyway.
 */
export const sharedProject = {
  // CI shares two cores with other work (load 7-10): a test that needs 2 s idle may need 15 s
  // there, and 30 s was exceeded by property tests at load 40-50. Tests assert outcomes and
  // orderings; these bounds only stop a hung test.
  test: { testTimeout: 90_000, hookTimeout: 120_000 },
  resolve: { conditions: ['source', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'default'] } },
} satisfies UserWorkspaceConfig;
