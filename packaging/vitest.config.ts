import { defineProject } from 'vitest/config';

// The fast checks (package conventions, snippet extraction): part of `pnpm test`. The tarball
// checks need a build and an install and run after the other tests (vitest.pack.config.ts).
export default defineProject({
  test: { name: 'packaging', include: ['test/**/*.test.ts'], exclude: ['test/pack/**'] },
});
