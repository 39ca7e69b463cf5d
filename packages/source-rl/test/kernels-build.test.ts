// The wasm binary embedded in src/kernels/kernels-wasm.ts must be what assembly/kernels.ts compiles to with the
// pinned AssemblyScript: nobody can ship a kernel edit without rebuilding (pnpm build:wasm), or the reverse.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileKernels, EMBEDDED_MODULE, embeddedModuleText } from '../scripts/compile-kernels';

describe('embedded kernels', () => {
  it('are up to date with assembly/kernels.ts (run `pnpm build:wasm` if not)', async () => {
    const binary = await compileKernels();
    expect(readFileSync(EMBEDDED_MODULE, 'utf8')).toBe(embeddedModuleText(binary));
  }, 60_000);
});
