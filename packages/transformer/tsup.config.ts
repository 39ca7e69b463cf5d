import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/train-worker.ts'], // train-worker: the data-parallel worker's entry
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // backend.ts resolves the wasm binaries with createRequire(import.meta.url): shimmed in the CJS build.
  shims: true,
});
