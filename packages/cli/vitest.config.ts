import { defineProject, mergeConfig } from 'vitest/config';
import { sharedProject } from '../../vitest.shared.ts';

export default mergeConfig(
  sharedProject,
  defineProject({
    // A command and the adapters it names are imported when it runs (the command table loads
    // lazily), so the first test of a file pays those imports: on a busy machine that alone can
    // take seconds. Outcomes are asserted, not times.
    test: { name: 'cli', include: ['test/**/*.test.ts'], testTimeout: 30_000 },
  }),
);
