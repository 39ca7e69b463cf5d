import { defineConfig } from 'tsup';

export default defineConfig({
  // cli: the `icrl` binary (package.json `bin`); commands are code-split chunks loaded on demand.
  entry: ['src/index.ts', 'src/cli.ts', 'src/train-thread.ts'], // train-thread: `icrl run`'s training threads
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // The shebang lets dist/cli.js run as `icrl`; on the other files it is a harmless first-line comment.
  banner: { js: '#!/usr/bin/env node' },
  // provenance.ts and chart.ts resolve files with import.meta.url: shimmed in the CJS build.
  shims: true,
});
