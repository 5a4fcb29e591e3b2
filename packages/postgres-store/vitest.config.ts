import { defineProject, mergeConfig } from 'vitest/config';
import { sharedProject } from '../../vitest.shared.ts';

export default mergeConfig(
  sharedProject,
  defineProject({
    test: { name: 'postgres-store', include: ['test/**/*.test.ts'] },
  }),
);
