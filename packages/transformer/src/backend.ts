import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { requireOneOf } from '@icrl/core';
import * as tf from '@tensorflow/tfjs-core';

/** A TensorFlow.js backend this package trains on. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** What `initBackend` accepts: a backend, or `auto` (tensorflow → wasm → cpu, the first that starts). */
export type BackendPreference = BackendName | 'auto';

export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/**
 * Starts a backend and returns its name (always report it: speeds differ by 10×).
 * - `tensorflow`: native TensorFlow, when the optional peer `@tensorflow/tfjs-node` is installed (it is
 *   never required: its install downloads libtensorflow, impossible offline). Detected by a dynamic import.
 * - `wasm`: `@tensorflow/tfjs-backend-wasm` (SIMD, one thread in Node). The default where tfjs-node is absent.
 * - `cpu`: plain JS kernels, 5× slower than wasm; the last resort.
 * `auto` tries them in that order. Naming one that cannot start throws. Calling again with the backend already
 * active is free.
 */
export async function initBackend(preference: BackendPreference = 'auto'): Promise<BackendName> {
  requireOneOf('backend', preference, BACKEND_PREFERENCES);
  const order: BackendName[] = preference === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [preference];
  const errors: string[] = [];
  for (const name of order) {
    if (tf.getBackend() === name) return name;
    try {
      if (await start(name)) return name;
      errors.push(`${name}: not available`);
    } catch (err) {
      errors.push(`${name}: ${(err as Error).message}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could start (${errors.join('; ')}).`);
}

async function start(name: BackendName): Promise<boolean> {
  if (name === 'tensorflow') {
    // Optional peer: a missing package (or one whose native binding did not install) means "not available".
    const spec = '@tensorflow/tfjs-node';
    try {
      await import(/* @vite-ignore */ spec);
    } catch {
      return false;
    }
    if (tf.findBackend('tensorflow') === null) return false; // it registered into another tfjs-core copy
    return tf.setBackend('tensorflow');
  }
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (tf.findBackend('wasm') === null || !wasmPathsSet) {
      const require = createRequire(import.meta.url);
      const dir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
      wasm.setWasmPaths(`${dir}/`);
      wasmPathsSet = true;
    }
    return tf.setBackend('wasm');
  }
  await import('@tensorflow/tfjs-backend-cpu');
  return tf.setBackend('cpu');
}

let wasmPathsSet = false;

/** The active backend's name (`wasm`, `cpu`, `tensorflow`, ...). */
export function currentBackend(): string {
  return tf.getBackend();
}
