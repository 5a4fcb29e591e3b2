import { defineConfig } from 'tsup';

export default defineConfig({
  // Each command is its own entry so dist/commands/ holds one module per command, which the
  // registry discovers at run time (adding a command is adding one file).
  entry: ['src/index.ts', 'src/bin.ts', 'src/commands/*.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
