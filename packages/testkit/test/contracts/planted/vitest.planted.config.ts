import { defineProject, mergeConfig } from 'vitest/config';
import { sharedProject } from '../../../../../vitest.shared.ts';

// Runs the contract suites against adapters with planted bugs (../planted-bugs.test.ts reads
// the JSON report); never part of the normal test run.
export default mergeConfig(
  sharedProject,
  defineProject({
    test: { name: 'testkit-planted', root: import.meta.dirname, include: ['*.planted.ts'] },
  }),
);
