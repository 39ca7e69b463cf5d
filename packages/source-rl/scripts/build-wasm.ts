// Rebuilds src/kernels/kernels-wasm.ts from assembly/kernels.ts. Run: pnpm --filter @icrl/source-rl build:wasm
import { writeFileSync } from 'node:fs';
import { compileKernels, EMBEDDED_MODULE, embeddedModuleText } from './compile-kernels';

const binary = await compileKernels();
writeFileSync(EMBEDDED_MODULE, embeddedModuleText(binary));
console.log(`wrote ${EMBEDDED_MODULE} (${binary.length} bytes of wasm)`);
