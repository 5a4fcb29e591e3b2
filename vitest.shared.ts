import type { UserWorkspaceConfig } from 'vitest/config';

/**
 * Settings every package's vitest project shares. Workspace packages resolve each other through
 * the `source` export condition, so tests run against `src/` without a build.
 */
export const sharedProject = {
  resolve: { conditions: ['source', 'module', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'import', 'default'] } },
} satisfies UserWorkspaceConfig;
