import { defineConfig } from 'tsup';

export default defineConfig({
  // Commands are imported dynamically by the command table (src/command-registry.ts), so each
  // becomes its own chunk and `rollgate --help` loads none of them.
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm'],
  target: 'node20',
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
});
