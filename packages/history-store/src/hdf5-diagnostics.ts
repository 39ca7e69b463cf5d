import fs from 'node:fs';

// h5wasm's HDF5 prints its error stack ("HDF5-DIAG: Error detected ...") on file descriptor 2 through
// Emscripten's NODERAWFS, which calls `fs.writeSync(2, ...)`; it never throws. To turn that text into the
// `reason` of a clear error (and keep it off the user's terminal), every HDF5 call runs inside
// `captureHdf5Diagnostics`, which diverts fd-2 writes for the duration of that one synchronous call.

type WriteSync = (fd: number, buffer: unknown, ...rest: unknown[]) => number;
const mutableFs = fs as unknown as { writeSync: WriteSync };

/** Result of a call made with HDF5's diagnostics captured. */
export interface Captured<T> {
  readonly value: T;
  /** What HDF5 printed on stderr during the call ('' when it printed nothing). */
  readonly text: string;
}

/**
 * Runs `fn` (synchronous) while collecting what it writes to file descriptor 2.
 *
 * @example
 * const { value, text } = captureHdf5Diagnostics(() => module.open(path, 0));
 * if (value < 0n) throw new Error(lastHdf5Reason(text));
 */
export function captureHdf5Diagnostics<T>(fn: () => T): Captured<T> {
  const original = mutableFs.writeSync;
  let text = '';
  mutableFs.writeSync = function patched(fd: number, buffer: unknown, ...rest: unknown[]): number {
    if (fd !== 2) return original.call(fs, fd, buffer, ...rest);
    if (typeof buffer === 'string') {
      text += buffer;
      return Buffer.byteLength(buffer);
    }
    if (ArrayBuffer.isView(buffer)) {
      const offset = typeof rest[0] === 'number' ? rest[0] : 0;
      const length = typeof rest[1] === 'number' ? rest[1] : buffer.byteLength - offset;
      text += Buffer.from(buffer.buffer, buffer.byteOffset + offset, length).toString('utf8');
      return length;
    }
    return original.call(fs, fd, buffer, ...rest);
  };
  try {
    return { value: fn(), text };
  } finally {
    mutableFs.writeSync = original;
  }
}

/**
 * The most specific line of an HDF5 error stack: the innermost frame's message, e.g.
 * `H5F__super_read(): truncated file: eof = 1024, sblock->base_addr = 0, stored_eof = 4096`.
 * Returns '' when `text` holds no HDF5 error stack.
 *
 * @example lastHdf5Reason(text) // 'H5FD_open(): unable to open file: name = ..., errno = 2'
 */
export function lastHdf5Reason(text: string): string {
  const frames = [...text.matchAll(/#\d+: .* in (\w+\(\)): (.*)/g)];
  const last = frames.at(-1);
  return last ? `${last[1]}: ${last[2]!.trim()}` : '';
}
