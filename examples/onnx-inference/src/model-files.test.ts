import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IcrlError, Rng } from '@icrl/core';
import { ADModel, resolveModelConfig } from '@icrl/transformer';
import { describe, expect, it } from 'vitest';
import { loadModelFiles, writeModelFiles } from './model-files';

/** Replaces every occurrence of an ASCII string by another of the same length (keeps the protobuf valid). */
function renameInFile(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const out = Uint8Array.from(bytes);
  const [a, b] = [Buffer.from(from), Buffer.from(to)];
  for (let i = Buffer.from(out).indexOf(a); i >= 0; i = Buffer.from(out).indexOf(a, i + 1)) out.set(b, i);
  return out;
}

describe('onnx-inference load path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'icrl-onnx-example-'));

  it('loads freshly written model.onnx + config.json and computes what the model computes', async () => {
    const files = await writeModelFiles(dir, 0); // random weights from the config's seed: reproducible below
    const ort = await loadModelFiles(files.onnx, files.config);
    const config = resolveModelConfig(JSON.parse(readFileSync(files.config, 'utf8')));
    const reference = new ADModel(config);
    try {
      const [B, L, F] = [3, 5, ort.encoding.contextSize];
      const rng = new Rng(0);
      const context = Float32Array.from({ length: B * L * F }, () => rng.int(2));
      const obs = Int32Array.from([4, 4, 0, 8, 7, 2]);
      const queryStates = BigInt64Array.from([40n, 8n, 65n]); // x * 9 + y
      const { action } = await ort.predict({ size: B, contextLength: L, context, queryStates });
      const expected = reference.predict({ size: B, contextLength: L, context, queryStates: obs }).action;
      const want = expected.dataSync();
      expected.dispose();
      expect(action).toHaveLength(B * 5);
      for (let i = 0; i < action.length; i++) expect(action[i]).toBeCloseTo(want[i]!, 4);
    } finally {
      reference.dispose();
      await ort.dispose();
    }
  });

  it('rejects a file whose input names break the contract, naming the difference', async () => {
    const bad = join(dir, 'renamed.onnx');
    writeFileSync(bad, renameInFile(readFileSync(join(dir, 'model.onnx')), 'query_state', 'state_query'));
    const err = await loadModelFiles(bad, join(dir, 'config.json')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IcrlError); // InvalidFileError naming the file (InvalidArgumentError for bytes)
    expect((err as Error).message).toContain('missing input query_state');
    expect((err as Error).message).toContain('unexpected input state_query');
  });

  it('rejects a config.json that does not describe the file', async () => {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ ...config, nLayer: 3 }));
    await expect(loadModelFiles(join(dir, 'model.onnx'), join(dir, 'other.json'))).rejects.toThrow(
      /missing input past_key_2/,
    );
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ ...config, nLayers: 2 }));
    await expect(loadModelFiles(join(dir, 'model.onnx'), join(dir, 'typo.json'))).rejects.toThrow(
      /config\.json/,
    );
  });
});
