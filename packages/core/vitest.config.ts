import { defineProject, mergeConfig } from 'vitest/config';
import { sharedProject } from '../../vitest.shared.ts';

export default mergeConfig(
  sharedProject,
  defineProject({
    test: { name: 'core', include: ['test/**/*.test.ts'], setupFiles: ['test/setup-equality.ts'] },
  }),
);
