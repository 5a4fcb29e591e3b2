import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/prometheus/index.ts', 'src/postgres/index.ts', 'src/scenarios/index.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
