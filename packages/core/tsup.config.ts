import { defineConfig } from 'tsup';

// The pure entries are type-checked without Node types (tsconfig.json); the node entry needs
// them, so declarations are emitted with tsconfig.node.json's settings for every entry.
export default defineConfig({
  entry: [
    'src/index.ts',
    'src/testing/index.ts',
    'src/simulation/index.ts',
    'src/scenarios/index.ts',
    'src/node/index.ts',
    // The secret redactor alone (no dependency): what a CLI needs before it knows its command.
    'src/node/secret-redactor.ts',
    // The signal kinds table alone (no zod, no machine): what a host that shows values reads.
    'src/signals/signal-kinds.ts',
  ],
  format: ['esm'],
  target: 'node20',
  dts: { compilerOptions: { types: ['node'] } },
  sourcemap: true,
  clean: true,
});
