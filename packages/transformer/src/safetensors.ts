import { InvalidFileError } from '@icrl/core';

// The safetensors format (huggingface/safetensors), written and read by hand — no dependency:
//   [8 bytes: header length N, unsigned little-endian] [N bytes: JSON header, space-padded to a multiple of 8]
//   [raw tensor bytes, little-endian, C order, tensors back to back with no holes]
// The header maps each tensor name to `{ dtype, shape, data_offsets: [begin, end] }` (offsets into the data
// section) and may carry `__metadata__`, a string → string map. PyTorch opens the result with
// `safetensors.torch.load_file(path)`; only F32 tensors are written or read here.

/** A float32 tensor by value: row-major data and its shape. */
export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Serialises tensors (in name order) and string metadata to safetensors bytes. */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, NamedTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) {
      throw new Error(
        `internal: tensor ${name} has ${t.data.length} values for shape [${t.shape.join(', ')}]`,
      );
    }
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * size] };
    offset += 4 * size;
  }
  let json = JSON.stringify(header);
  const pad = (8 - (Buffer.byteLength(json) % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.length;
  for (const name of names) {
    const { data } = tensors.get(name)!;
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), p);
    } else {
      for (let i = 0; i < data.length; i++) view.setFloat32(p + 4 * i, data[i]!, true);
    }
    p += data.byteLength;
  }
  return out;
}

/**
 * Parses safetensors bytes. Every structural fault (truncated file, header length past the end, non-JSON
 * header, a dtype other than F32, offsets that disagree with the shape, overlap or holes) is one
 * `InvalidFileError` naming `path`.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  path: string,
): { tensors: Map<string, NamedTensor>; metadata: Record<string, string> } {
  const fail = (reason: string): never => {
    throw new InvalidFileError(path, `not a valid safetensors file: ${reason}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) fail(`header length ${n} exceeds the file (${bytes.length} bytes)`);
  const headerEnd = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, headerEnd)));
  } catch {
    fail('the header is not UTF-8 JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('the header is not a JSON object');
  const entries = Object.entries(header as Record<string, unknown>);
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number; shape: number[] }[] = [];
  for (const [name, value] of entries) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const e = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(`entry ${name} is not an object`);
    if (e.dtype !== 'F32') fail(`tensor ${name} has dtype ${JSON.stringify(e.dtype)}; only F32 is supported`);
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail(`tensor ${name} has no valid shape`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor ${name} has no valid data_offsets`);
    }
    const [begin, end] = off as [number, number];
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== 4 * size)
      fail(
        `tensor ${name}: data_offsets [${begin}, ${end}] do not hold shape [${(shape as number[]).join(', ')}]`,
      );
    spans.push({ name, begin, end, shape: shape as number[] });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const s of spans) {
    if (s.begin !== expected)
      fail(`tensor ${s.name} starts at byte ${s.begin}, expected ${expected} (overlap or hole)`);
    expected = s.end;
  }
  const dataBytes = bytes.length - headerEnd;
  if (expected !== dataBytes)
    fail(`the tensors cover ${expected} data bytes but the file holds ${dataBytes} (truncated or padded)`);
  const tensors = new Map<string, NamedTensor>();
  for (const s of spans) {
    const count = (s.end - s.begin) / 4;
    const data = new Float32Array(count);
    const start = headerEnd + s.begin;
    if (LITTLE_ENDIAN) {
      new Uint8Array(data.buffer).set(bytes.subarray(start, start + 4 * count));
    } else {
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(start + 4 * i, true);
    }
    tensors.set(s.name, { shape: s.shape, data });
  }
  return { tensors, metadata };
}
