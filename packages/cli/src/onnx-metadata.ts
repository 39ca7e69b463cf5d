import { readFileSync } from 'node:fs';
import { InvalidFileError } from '@icrl/core';

// Just enough protobuf to describe an ONNX file without loading it into onnxruntime: ModelProto's header
// fields, its metadata_props (exportOnnx stores the model info as JSON under `icrl`) and the graph's I/O names.

/** What `icrl info` shows about an ONNX model. */
export interface OnnxSummary {
  readonly irVersion: number;
  readonly producer: string;
  readonly opset: number | null;
  readonly graphName: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly metadata: Record<string, string>;
  readonly bytes: number;
}

type Field = { field: number; wire: number; value: number | Uint8Array };

function* fields(buf: Uint8Array, path: string): Generator<Field> {
  let i = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (i >= buf.length) throw new InvalidFileError(path, 'is truncated or not an ONNX (protobuf) file');
      const b = buf[i++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new InvalidFileError(path, 'is not an ONNX (protobuf) file (bad varint)');
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) yield { field, wire, value: varint() };
    else if (wire === 1 || wire === 5) {
      i += wire === 1 ? 8 : 4;
      if (i > buf.length) throw new InvalidFileError(path, 'is truncated or not an ONNX (protobuf) file');
    } else if (wire === 2) {
      const len = varint();
      if (i + len > buf.length)
        throw new InvalidFileError(path, 'is truncated or not an ONNX (protobuf) file');
      yield { field, wire, value: buf.subarray(i, i + len) };
      i += len;
    } else throw new InvalidFileError(path, `is not an ONNX (protobuf) file (wire type ${wire})`);
  }
}

const text = (v: number | Uint8Array) =>
  typeof v === 'number' ? String(v) : Buffer.from(v).toString('utf8');

function nameOf(msg: Uint8Array, path: string): string {
  for (const f of fields(msg, path)) if (f.field === 1 && f.wire === 2) return text(f.value);
  return '';
}

/** Reads an ONNX file's header, metadata and graph inputs/outputs. */
export function readOnnxSummary(path: string): OnnxSummary {
  const buf = readFileSync(path);
  let irVersion = -1;
  let producer = '';
  let opset: number | null = null;
  let graphName = '';
  const inputs: string[] = [];
  const outputs: string[] = [];
  const metadata: Record<string, string> = {};
  for (const f of fields(buf, path)) {
    if (f.field === 1 && f.wire === 0) irVersion = f.value as number;
    else if (f.field === 2 && f.wire === 2) producer = text(f.value);
    else if (f.field === 3 && f.wire === 2) producer += ` ${text(f.value)}`;
    else if (f.field === 8 && f.wire === 2) {
      for (const g of fields(f.value as Uint8Array, path))
        if (g.field === 2 && g.wire === 0) opset = g.value as number;
    } else if (f.field === 14 && f.wire === 2) {
      let k = '';
      let v = '';
      for (const g of fields(f.value as Uint8Array, path)) {
        if (g.field === 1) k = text(g.value);
        if (g.field === 2) v = text(g.value);
      }
      metadata[k] = v;
    } else if (f.field === 7 && f.wire === 2) {
      for (const g of fields(f.value as Uint8Array, path)) {
        if (g.field === 2 && g.wire === 2) graphName = text(g.value);
        if (g.field === 11 && g.wire === 2) inputs.push(nameOf(g.value as Uint8Array, path));
        if (g.field === 12 && g.wire === 2) outputs.push(nameOf(g.value as Uint8Array, path));
      }
    }
  }
  if (irVersion < 1 || inputs.length === 0)
    throw new InvalidFileError(path, 'is not an ONNX model (no IR version or graph inputs)');
  return {
    irVersion,
    producer: producer.trim(),
    opset,
    graphName,
    inputs,
    outputs,
    metadata,
    bytes: buf.length,
  };
}
