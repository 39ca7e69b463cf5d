import { KERNELS_WASM_BASE64 } from './kernels-wasm';

// The few WebAssembly JS-API members used here, typed locally (the repo's TypeScript libs are ES2022 + Node,
// which do not declare the WebAssembly global).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (
    module: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ) => { readonly exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The functions assembly/kernels.ts exports (pointers are byte offsets into the instance's memory). */
export interface KernelExports {
  readonly memory: WasmMemory;
  tanhInPlace(x: number, n: number): void;
  linearForward(
    x: number,
    nin: number,
    w: number,
    b: number,
    z: number,
    rows: number,
    nout: number,
    act: number,
  ): void;
  linearBackwardInput(
    dz: number,
    w: number,
    h: number,
    dx: number,
    rows: number,
    nin: number,
    nout: number,
  ): void;
  linearBackwardWeight(
    x: number,
    dz: number,
    dw: number,
    db: number,
    rows: number,
    nin: number,
    nout: number,
  ): void;
  gatherRows(src: number, idx: number, count: number, rowsPadded: number, dst: number, width: number): void;
  categoricalLogProb(
    logits: number,
    ldl: number,
    nA: number,
    slots: number,
    actions: number,
    n: number,
    out: number,
  ): void;
  gaussianLogProb(
    means: number,
    ldm: number,
    logStd: number,
    dim: number,
    slots: number,
    actions: number,
    n: number,
    out: number,
  ): void;
  categoricalLoss(...args: number[]): void;
  gaussianLoss(...args: number[]): void;
  sumSquares(g: number, n: number): number;
  adamStep(...args: number[]): void;
  rmspropStep(...args: number[]): void;
}

let compiled: WasmModule | null = null;

/** The kernels' compiled module, decoded and compiled once per thread. */
export function kernelModule(): WasmModule {
  if (compiled === null) {
    const text = atob(KERNELS_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    compiled = new wasmApi.Module(bytes);
  }
  return compiled;
}

const PAGE = 65536;

/**
 * One instance of the kernels with its own memory, and a bump allocator over it. Owners allocate every
 * buffer up front (`alloc`), then `commit()` grows the memory once, so typed-array views never detach while
 * a learner runs. Dropping the arena frees everything (the instance is garbage-collected).
 *
 * @example
 * const arena = new WasmArena();
 * const x = arena.alloc(4 * 64); // bytes
 * arena.commit();
 * arena.f32.fill(0, x >> 2, (x >> 2) + 64);
 */
export class WasmArena {
  readonly k: KernelExports;
  private top: number;
  private committed = false;
  private views: { f32: Float32Array; f64: Float64Array; i32: Int32Array } | null = null;

  constructor() {
    const instance = new wasmApi.Instance(kernelModule(), {
      env: {
        abort: () => {
          throw new Error('wasm kernel abort');
        },
      },
    });
    this.k = instance.exports as unknown as KernelExports;
    // Leave the first KiB to the module's own static data (the Gaussian kernel's scratch lives there).
    this.top = Math.max(1024, this.k.memory.buffer.byteLength);
  }

  /** Reserves `bytes` (rounded up to 64, cache-line aligned) and returns the byte offset. */
  alloc(bytes: number): number {
    if (this.committed) throw new Error('WasmArena.alloc after commit()');
    const at = this.top;
    this.top += Math.ceil(Math.max(bytes, 1) / 64) * 64;
    return at;
  }

  /** Grows the memory to hold every allocation (zero-filled). */
  commit(): void {
    const have = this.k.memory.buffer.byteLength;
    if (this.top > have) this.k.memory.grow(Math.ceil((this.top - have) / PAGE));
    this.committed = true;
    this.views = null;
  }

  private get v(): { f32: Float32Array; f64: Float64Array; i32: Int32Array } {
    const buffer = this.k.memory.buffer;
    if (this.views === null || this.views.f32.buffer !== buffer) {
      this.views = {
        f32: new Float32Array(buffer),
        f64: new Float64Array(buffer),
        i32: new Int32Array(buffer),
      };
    }
    return this.views;
  }

  /** The whole memory as float32 (index = byte offset / 4). */
  get f32(): Float32Array {
    return this.v.f32;
  }

  /** The whole memory as float64 (index = byte offset / 8). */
  get f64(): Float64Array {
    return this.v.f64;
  }

  /** The whole memory as int32 (index = byte offset / 4). */
  get i32(): Int32Array {
    return this.v.i32;
  }

  /** Bytes reserved so far. */
  get size(): number {
    return this.top;
  }
}
