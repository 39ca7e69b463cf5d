import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { darkroom } from '@icrl/envs';
import { ADModel, exportOnnx, resolveModelConfig } from '@icrl/transformer';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers';
import { readOnnxSummary } from './onnx-metadata';

describe('readOnnxSummary', () => {
  it("reads exportOnnx's header, metadata and graph I/O", () => {
    const family = darkroom();
    const model = new ADModel(
      resolveModelConfig({
        envId: family.id,
        observationSpace: family.observationSpace,
        actionSpace: family.actionSpace,
        dynamics: true,
        nLayer: 1,
        nEmbd: 8,
        nHead: 2,
        nInner: 16,
        nTransit: 4,
      }),
    );
    const path = join(tempDir('onnx'), 'm.onnx');
    writeFileSync(path, exportOnnx(model));
    model.dispose();
    const s = readOnnxSummary(path);
    expect(s).toMatchObject({ irVersion: 8, opset: 17, graphName: 'icrl-dicp-ad' });
    expect(s.inputs).toEqual([
      'context',
      'query_state',
      'query_action',
      'past_key_0',
      'past_value_0',
      'prefix_key_0', // dynamics models can be planned with: the shared-prefix inputs
      'prefix_value_0',
    ]);
    expect(s.outputs.slice(0, 3)).toEqual(['action', 'reward', 'next_state']);
    expect(JSON.parse(s.metadata.icrl!)).toMatchObject({ kind: 'ad', dynamics: true, nTransit: 4 });
  });

  it('rejects truncated or foreign bytes as an InvalidFileError', () => {
    const dir = tempDir('onnx-bad');
    writeFileSync(join(dir, 'a.onnx'), Buffer.from([0x08, 0x08, 0x3a, 0x7f, 0x01]));
    expect(() => readOnnxSummary(join(dir, 'a.onnx'))).toThrow(/truncated or not an ONNX/);
    writeFileSync(join(dir, 'b.onnx'), Buffer.from([0x08, 0x08]));
    expect(() => readOnnxSummary(join(dir, 'b.onnx'))).toThrow(/is not an ONNX model/);
  });
});
