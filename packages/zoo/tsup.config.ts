import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // zoo-paths.ts finds models/ with import.meta.url: shimmed in the CJS build.
  shims: true,
});
