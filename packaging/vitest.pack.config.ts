import { defineConfig } from 'vitest/config';

// `pnpm test:packaging`: builds and packs every package, installs the tarballs into a project
// outside the workspace (global setup, once), then checks that project. Part of `pnpm check`,
// after the other tests, so its build and install do not compete with their timings.
export default defineConfig({
  test: {
    name: 'packaging-tarballs',
    root: import.meta.dirname,
    include: ['test/pack/**/*.test.ts'],
    globalSetup: ['./test/pack/prepare-consumer.ts'],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});
