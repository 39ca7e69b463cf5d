import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidFileError } from '@icrl/core';
import { captureHdf5Diagnostics, lastHdf5Reason } from './hdf5-diagnostics';
import {
  allocateRaw,
  h5wasmDtype,
  type RawArray,
  type StorageDtype,
  type WritableDtype,
} from './storage-dtype';

// The only file that talks to h5wasm. h5wasm prints HDF5 errors instead of throwing, returns negative ids
// and statuses, and its high-level helpers return null on failure; every call here checks its result and
// turns a failure into one InvalidFileError naming the file, the object and HDF5's own innermost reason.
// Reads and writes go straight through `Module.get_dataset_data`/`set_dataset_data` into a reusable
// scratch buffer on the wasm heap: one copy in each direction, no per-call allocation, and dtypes
// (float16, h5py's bool enum) that h5wasm's `slice()` cannot decode.

type H5Lib = typeof import('h5wasm/node');
type H5Module = H5Lib['Module'];

let loading: Promise<H5Lib> | null = null;

/** Loads h5wasm's Node build once (a 4 MB wasm module); later calls share it. */
export function loadH5wasm(): Promise<H5Lib> {
  loading ??= import('h5wasm/node').then(async (lib) => {
    await lib.ready;
    return lib;
  });
  return loading;
}

/** What a dataset is, as far as the reader cares. */
export interface DatasetInfo {
  readonly shape: readonly number[];
  /** Chunk shape, or null for contiguous storage. */
  readonly chunks: readonly number[] | null;
  /** Element type, or null when it is not one the reader handles (strings, compounds, ...). */
  readonly dtype: StorageDtype | null;
  /** Human description of the stored type, for error messages (`int32`, `string`, `compound`). */
  readonly dtypeText: string;
}

/** An attribute value as stored (numbers and strings; arrays of them). */
export type AttrValue = string | number | boolean | readonly number[] | readonly string[];

/** How to create an extendable dataset. */
export interface CreateDatasetOptions {
  readonly dtype: WritableDtype;
  /** Initial shape. */
  readonly shape: readonly number[];
  /** Maximum shape; null marks an unlimited axis. */
  readonly maxshape: readonly (number | null)[];
  readonly chunks: readonly number[];
  /** gzip level 1..9; 0 or undefined stores chunks uncompressed. */
  readonly gzip?: number;
}

// HDF5's class numbers (H5T_class_t) as h5wasm reports them in dataset metadata.
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;
const H5T_COMPOUND = 6;
const H5T_ENUM = 8;

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

let scratchPtr = 0;
let scratchBytes = 0;

/** A scratch buffer of at least `bytes` on the wasm heap, reused across calls (grown, never shrunk). */
function scratch(module: H5Module, bytes: number): number {
  if (bytes > scratchBytes) {
    if (scratchPtr !== 0) module._free(scratchPtr);
    const size = Math.max(bytes, 1 << 16);
    scratchPtr = module._malloc(size);
    if (scratchPtr === 0) {
      scratchBytes = 0;
      throw new RangeError(`cannot allocate ${size} bytes on the wasm heap (capped at 2 GB)`);
    }
    scratchBytes = size;
  }
  return scratchPtr;
}

/**
 * An open HDF5 file. Paths inside it are absolute (`/0/states`).
 *
 * @example
 * const file = await Hdf5File.open('/tmp/histories.h5', 'r');
 * const info = file.datasetInfo('/0/states'); // { shape: [1000, 100, 2], dtype: 'int32', ... }
 * const bytes = file.read('/0/states', [0, 0, 0], [80, 1, 2]); // Uint8Array view, valid until the next call
 * file.close();
 */
export class Hdf5File {
  /** Absolute path on disk. */
  readonly path: string;
  private readonly lib: H5Lib;
  private fileId: bigint;

  private constructor(lib: H5Lib, fileId: bigint, path: string) {
    this.lib = lib;
    this.fileId = fileId;
    this.path = path;
  }

  /**
   * Opens (`'r'` read-only, `'a'` read-write) or creates (`'w'`, truncating) a file.
   *
   * @throws InvalidFileError when the file is missing, empty, not HDF5, truncated or otherwise unreadable.
   */
  static async open(path: string, mode: 'r' | 'a' | 'w'): Promise<Hdf5File> {
    const absolute = resolve(path);
    if (mode !== 'w') checkLooksLikeHdf5(absolute);
    const lib = await loadH5wasm();
    const module = lib.Module;
    const access =
      mode === 'r' ? module.H5F_ACC_RDONLY : mode === 'a' ? module.H5F_ACC_RDWR : module.H5F_ACC_TRUNC;
    const { value: fileId, text } = captureHdf5Diagnostics(() => {
      try {
        // New files use the HDF5 1.10 format (readable by HDF5 >= 1.10, e.g. Debian's h5py): it allows
        // attributes over 64 KB (long return curves) and indexes chunks of extendable datasets faster.
        const libver = mode === 'w' ? module.H5F_LIBVER_V110 : -1;
        return BigInt(module.open(absolute, access, false, libver, libver));
      } catch {
        return -1n;
      }
    });
    if (fileId < 0n) {
      const reason = lastHdf5Reason(text);
      if (mode === 'w')
        throw new InvalidFileError(absolute, `HDF5 cannot create it (${reason || 'unknown error'}).`);
      const truncated = /truncated file/.test(reason);
      throw new InvalidFileError(
        absolute,
        truncated
          ? `the file is truncated: HDF5 reports ${reason}.`
          : `HDF5 cannot open it; it is corrupt or truncated (${reason || 'no reason given'}).`,
      );
    }
    return new Hdf5File(lib, fileId, absolute);
  }

  private get module(): H5Module {
    return this.lib.Module;
  }

  /** Runs one h5wasm call with diagnostics captured; `failed(value)` decides whether it failed. */
  private call<T>(what: string, fn: () => T, failed: (value: T) => boolean): T {
    if (this.fileId < 0n) throw new InvalidFileError(this.path, `${what}: the file is already closed.`);
    let thrown: unknown = null;
    const { value, text } = captureHdf5Diagnostics(() => {
      try {
        return fn();
      } catch (error) {
        thrown = error;
        return undefined;
      }
    });
    // HDF5 printing an error stack means the call failed, even where h5wasm returns nothing to check.
    if (thrown !== null || failed(value as T) || text.includes('HDF5-DIAG')) {
      const reason =
        lastHdf5Reason(text) || (thrown instanceof Error ? thrown.message : String(thrown ?? 'failed'));
      throw new InvalidFileError(this.path, `${what} failed: ${reason}.`, { cause: thrown ?? undefined });
    }
    return value as T;
  }

  /** What lives at `objPath`: a group, a dataset, something else, or nothing. */
  kind(objPath: string): 'group' | 'dataset' | 'other' | 'missing' {
    const module = this.module;
    const type = this.call(
      `looking up ${objPath}`,
      () => module.get_type(this.fileId, objPath),
      () => false,
    );
    if (type === module.H5G_GROUP) return 'group';
    if (type === module.H5G_DATASET) return 'dataset';
    return type < 0 ? 'missing' : 'other';
  }

  /** Children of a group and whether each is a group or a dataset. */
  children(groupPath: string): Map<string, 'group' | 'dataset' | 'other'> {
    // Names first, then one type lookup per name: h5wasm's get_types walks the group by index for every
    // child, quadratic in the children (3 minutes for a root of 6,233 task groups; this takes 0.4 s).
    const names = this.call(
      `listing group ${groupPath}`,
      () => this.module.get_names(this.fileId, groupPath, false),
      (v) => !Array.isArray(v),
    );
    const prefix = groupPath.endsWith('/') ? groupPath : `${groupPath}/`;
    const out = new Map<string, 'group' | 'dataset' | 'other'>();
    for (const name of names) {
      const kind = this.kind(`${prefix}${name}`);
      if (kind === 'missing')
        throw new InvalidFileError(this.path, `${prefix}${name} is listed but cannot be opened.`);
      out.set(name, kind);
    }
    return out;
  }

  /** Shape, chunking and element type of a dataset. */
  datasetInfo(datasetPath: string): DatasetInfo {
    const meta = this.call(
      `reading the metadata of ${datasetPath}`,
      () => this.module.get_dataset_metadata(this.fileId, datasetPath),
      (m) => m === null || typeof m !== 'object',
    );
    const { dtype, text } = describeType(meta.type, meta.size, meta.signed, meta.enum_type?.members);
    return {
      shape: (meta.shape ?? []).map(Number),
      chunks: meta.chunks === null || meta.chunks === undefined ? null : meta.chunks.map(Number),
      dtype,
      dtypeText: text,
    };
  }

  /** Names of the attributes of an object. */
  attrNames(objPath: string): string[] {
    return this.call(
      `listing the attributes of ${objPath}`,
      () => this.module.get_attribute_names(this.fileId, objPath),
      (v) => !Array.isArray(v),
    );
  }

  /** One attribute's value, or undefined when absent. */
  readAttr(objPath: string, name: string): AttrValue | undefined {
    if (!this.attrNames(objPath).includes(name)) return undefined;
    const group = new this.lib.Group(this.fileId, objPath);
    const value = this.call(
      `reading attribute ${name} of ${objPath}`,
      () => group.get_attribute(name, true) as unknown,
      (v) => v === null || v === undefined,
    );
    return normaliseAttr(value);
  }

  /**
   * Writes an attribute, replacing one of the same name unless `fresh` (the object was just created, so
   * there is nothing to replace: saves two HDF5 calls per attribute). Strings are stored as
   * variable-length UTF-8 (h5py reads them as `str`), numbers as int32 (`int`), int64 (`int64`) or
   * float64 (`float`).
   */
  writeAttr(
    objPath: string,
    name: string,
    value: string | number | readonly number[],
    kind: 'int' | 'int64' | 'float' = 'int',
    fresh = false,
  ): void {
    if (!fresh && this.attrNames(objPath).includes(name)) {
      this.call(
        `deleting attribute ${name} of ${objPath}`,
        () => this.module.delete_attribute(this.fileId, objPath, name),
        (s) => s < 0,
      );
    }
    const group = new this.lib.Group(this.fileId, objPath);
    const dtype = typeof value === 'string' ? null : kind === 'int' ? '<i' : kind === 'int64' ? '<q' : '<d';
    const data = typeof value === 'number' || typeof value === 'string' ? value : [...value];
    const shape = typeof value === 'string' || typeof value === 'number' ? null : [value.length];
    // h5wasm returns nothing here; a failure shows as an HDF5 error stack, which call() turns into an error.
    this.call(
      `writing attribute ${name} of ${objPath}`,
      () => group.create_attribute(name, data as number[], shape, dtype),
      () => false,
    );
  }

  /** Creates a group (parents must exist). */
  createGroup(groupPath: string): void {
    this.call(
      `creating group ${groupPath}`,
      () => this.module.create_group(this.fileId, groupPath, false),
      (s) => s < 0,
    );
    if (this.kind(groupPath) !== 'group')
      throw new InvalidFileError(this.path, `creating group ${groupPath} failed.`);
  }

  /** Creates a chunked, extendable dataset. */
  createDataset(datasetPath: string, options: CreateDatasetOptions): void {
    const slash = datasetPath.lastIndexOf('/');
    const group = new this.lib.Group(this.fileId, datasetPath.slice(0, slash) || '/');
    const count = options.shape.reduce((a, b) => a * b, 1);
    this.call(
      `creating dataset ${datasetPath}`,
      () =>
        group.create_dataset({
          name: datasetPath.slice(slash + 1),
          data: allocateRaw(options.dtype, count) as Exclude<RawArray, BigInt64Array>,
          shape: [...options.shape],
          dtype: h5wasmDtype(options.dtype),
          maxshape: [...options.maxshape],
          chunks: [...options.chunks],
          ...(options.gzip ? { compression: 'gzip' as const, compression_opts: options.gzip } : {}),
        }),
      (ds) => ds === null,
    );
  }

  /** Sets a dataset's shape (extends or shrinks along its unlimited axes). */
  resize(datasetPath: string, shape: readonly number[]): void {
    this.call(
      `resizing ${datasetPath} to (${shape.join(', ')})`,
      () => this.module.resize_dataset(this.fileId, datasetPath, shape.map(BigInt)),
      (s) => s < 0,
    );
  }

  /**
   * Reads the hyperslab `[offset, offset + count)` as raw little-endian bytes of the stored type. The view
   * points into a scratch buffer on the wasm heap: copy out of it before the next call on any file.
   */
  read(
    datasetPath: string,
    offset: readonly number[],
    count: readonly number[],
    elementSize: number,
  ): Uint8Array {
    const module = this.module;
    const bytes = count.reduce((a, b) => a * b, elementSize);
    const ptr = scratch(module, bytes);
    this.call(
      `reading ${datasetPath}[${offset.map((o, i) => `${o}:${o + count[i]!}`).join(', ')}]`,
      () =>
        module.get_dataset_data(
          this.fileId,
          datasetPath,
          count.map(BigInt),
          offset.map(BigInt),
          count.map(() => 1n),
          BigInt(ptr),
        ),
      (s) => s < 0,
    );
    // Take HEAPU8 after the call: the heap may have grown (and been replaced) during it.
    return new Uint8Array(module.HEAPU8.buffer, ptr, bytes);
  }

  /**
   * A scratch region of the wasm heap to fill before `writeScratch`: avoids one copy when the caller
   * produces data directly into it (a file read, a transpose).
   */
  scratchView(bytes: number): Uint8Array {
    const module = this.module;
    const ptr = scratch(module, bytes);
    return new Uint8Array(module.HEAPU8.buffer, ptr, bytes);
  }

  /** Writes `bytes` (raw values of the stored type) to the hyperslab `[offset, offset + count)`. */
  write(datasetPath: string, offset: readonly number[], count: readonly number[], bytes: Uint8Array): void {
    const module = this.module;
    const ptr = scratch(module, bytes.byteLength);
    if (!(bytes.buffer === module.HEAPU8.buffer && bytes.byteOffset === ptr)) module.HEAPU8.set(bytes, ptr);
    this.call(
      `writing ${datasetPath}[${offset.map((o, i) => `${o}:${o + count[i]!}`).join(', ')}]`,
      () =>
        module.set_dataset_data(
          this.fileId,
          datasetPath,
          count.map(BigInt),
          offset.map(BigInt),
          count.map(() => 1n),
          BigInt(ptr),
        ),
      (s) => s < 0,
    );
  }

  /** Flushes HDF5's buffers to the OS. */
  flush(): void {
    this.call(
      'flushing',
      () => this.module.flush(this.fileId),
      (s) => s < 0,
    );
  }

  /** Closes the file (idempotent). */
  close(): void {
    if (this.fileId < 0n) return;
    const id = this.fileId;
    this.call(
      'closing',
      () => this.module.close_file(id),
      (s) => s < 0,
    );
    this.fileId = -1n;
  }
}

/** Rejects missing, empty and non-HDF5 files before HDF5 sees them (its errors there are cryptic). */
function checkLooksLikeHdf5(path: string): void {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new InvalidFileError(path, 'it is not a regular file.');
    size = stat.size;
  } catch (error) {
    if (error instanceof InvalidFileError) throw error;
    throw new InvalidFileError(path, 'the file does not exist.', { cause: error });
  }
  if (size === 0) throw new InvalidFileError(path, 'the file is empty (0 bytes).');
  // The signature sits at byte 0, or after a user block at 512, 1024, 2048, ... (HDF5 spec §2.2).
  const fd = openSync(path, 'r');
  try {
    const probe = Buffer.alloc(8);
    for (let offset = 0; offset + 8 <= size; offset = offset === 0 ? 512 : offset * 2) {
      if (readSync(fd, probe, 0, 8, offset) === 8 && probe.equals(HDF5_SIGNATURE)) return;
    }
  } finally {
    closeSync(fd);
  }
  throw new InvalidFileError(path, 'it is not an HDF5 file (no HDF5 signature found).');
}

function describeType(
  type: number,
  size: number,
  signed: boolean,
  enumMembers: Record<string, number> | undefined,
): { dtype: StorageDtype | null; text: string } {
  if (type === H5T_INTEGER) {
    const dtype = integerDtype(size, signed);
    return { dtype, text: dtype ?? `${signed ? 'int' : 'uint'}${size * 8}` };
  }
  if (type === H5T_FLOAT) {
    const dtype = size === 2 ? 'float16' : size === 4 ? 'float32' : size === 8 ? 'float64' : null;
    return { dtype, text: `float${size * 8}` };
  }
  if (type === H5T_ENUM) {
    const names = Object.keys(enumMembers ?? {});
    const isBool = size === 1 && names.length === 2 && enumMembers?.FALSE === 0 && enumMembers?.TRUE === 1;
    return { dtype: isBool ? 'bool' : null, text: isBool ? 'bool' : `enum(${names.join(', ')})` };
  }
  if (type === H5T_STRING) return { dtype: null, text: 'string' };
  if (type === H5T_COMPOUND) return { dtype: null, text: 'compound' };
  return { dtype: null, text: `an HDF5 type of class ${type}` };
}

function integerDtype(size: number, signed: boolean): StorageDtype | null {
  if (size === 1) return signed ? 'int8' : 'uint8';
  if (size === 2) return signed ? 'int16' : 'uint16';
  if (size === 4) return signed ? 'int32' : 'uint32';
  if (size === 8 && signed) return 'int64';
  return null;
}

function normaliseAttr(value: unknown): AttrValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return value as string[];
    return value.map((v) => (typeof v === 'bigint' ? Number(v) : Number(v)));
  }
  return String(value);
}
