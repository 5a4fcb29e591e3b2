import { defineProject, mergeConfig } from 'vitest/config';
import { sharedProject } from '../../vitest.shared.ts';

export default mergeConfig(
  sharedProject,
  defineProject({
    // Every file starts its own PostgreSQL (a few seconds on a busy machine) in its first test.
    test: {
      name: 'postgres-store',
      include: ['test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  }),
);
