import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { InvalidFileError } from '@icrl/core';
import { UsageError } from './usage-error';

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What a path holds, judged by its first bytes (not its name). */
export type FileKind = 'missing' | 'directory' | 'hdf5' | 'json' | 'onnx' | 'other';

function head(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const read = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Sniffs a path: HDF5 by its signature, JSON by its first non-blank byte, ONNX by name plus a protobuf start. */
export function fileKind(path: string): FileKind {
  if (!existsSync(path)) return 'missing';
  if (statSync(path).isDirectory()) return 'directory';
  const bytes = head(path, 64);
  // HDF5 files may carry a user block; ours and h5py's start with the signature.
  if (bytes.subarray(0, 8).equals(HDF5_SIGNATURE)) return 'hdf5';
  const text = bytes.toString('utf8').trimStart();
  if (text.startsWith('{') || text.startsWith('[')) return 'json';
  // A ModelProto starts with field 1 (ir_version, varint): tag byte 0x08.
  if (path.toLowerCase().endsWith('.onnx') && bytes[0] === 0x08) return 'onnx';
  return 'other';
}

/** An input file that must exist (a usage error, exit 2, when it does not). */
export function requireInput(path: string, flag: string): void {
  if (!existsSync(path)) throw new UsageError(`${flag} ${path} does not exist.`);
}

/** An existing HDF5 file (exit 3 for a file of another kind). */
export function requireHdf5(path: string, flag: string): void {
  requireInput(path, flag);
  const kind = fileKind(path);
  if (kind === 'directory')
    throw new UsageError(`${flag} ${path} is a directory; expected an HDF5 history file.`);
  if (kind !== 'hdf5') {
    throw new InvalidFileError(
      path,
      `is not an HDF5 file (no HDF5 signature; it looks like ${describeKind(kind)}); expected learning histories written by icrl collect`,
    );
  }
}

export function describeKind(kind: FileKind): string {
  switch (kind) {
    case 'json':
      return 'JSON';
    case 'onnx':
      return 'an ONNX model';
    case 'hdf5':
      return 'HDF5';
    case 'directory':
      return 'a directory';
    case 'missing':
      return 'nothing';
    default:
      return 'some other format';
  }
}
