import { defineConfig } from 'tsup';

export default defineConfig({
  // The worker is its own entry: collect() starts it by URL next to the importing module.
  entry: { index: 'src/index.ts', 'learner-worker': 'src/worker/learner-worker.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // import.meta.url in the CommonJS build (locates the worker file).
  shims: true,
});
