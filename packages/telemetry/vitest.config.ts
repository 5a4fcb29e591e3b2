import { defineProject } from 'vitest/config';

// Like vitest.shared.ts, without the `module` condition: @opentelemetry/api maps it to an ESM
// build with extensionless imports that Node cannot load; its `default` (CommonJS) loads fine.
const conditions = ['source', 'node', 'import', 'default'];

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { name: 'telemetry', include: ['test/**/*.test.ts'] },
});
