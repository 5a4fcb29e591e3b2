import { defineConfig } from 'vitest/config';

// One vitest project per package: `pnpm test --project core` runs one of them.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples', 'bench', 'packaging'],
  },
});
