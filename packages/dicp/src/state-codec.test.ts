import { darkroom } from '@icrl/envs';
import { Encoding, resolveModelConfig } from '@icrl/transformer';
import { expect, it } from 'vitest';
import { decodeState } from './state-codec';

it('inverts Encoding.stateIndex on every Darkroom cell (index x·9 + y)', () => {
  const family = darkroom();
  const e = new Encoding(
    resolveModelConfig({
      envId: family.id,
      observationSpace: family.observationSpace,
      actionSpace: family.actionSpace,
    }),
  );
  const out = new Float32Array(2);
  for (let i = 0; i < 81; i++) {
    decodeState(family.observationSpace, i, out, 0);
    expect(e.stateIndex(out, 0)).toBe(i);
    expect(Array.from(out)).toEqual([Math.floor(i / 9), i % 9]);
  }
});
