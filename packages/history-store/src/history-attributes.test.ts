import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gridMeta, taskMeta } from '../test/synthetic-history';
import { tempDir } from '../test/temp-dir';
import { Hdf5File } from './hdf5-file';
import {
  readRootMeta,
  readSchemaVersion,
  readTaskAttrs,
  writeRootAttrs,
  writeTaskAttrs,
} from './history-attributes';
import { resolveStorage, validateWriterOptions } from './writer-options';

const dir = tempDir();

describe('history attributes', () => {
  it('round-trip meta, storage and task attributes, unbounded spaces included', async () => {
    const path = join(dir, 'attrs.h5');
    const meta = gridMeta(4, {
      observationSpace: { kind: 'box', shape: [3], low: -Infinity, high: Infinity, dtype: 'float32' },
    });
    const storage = resolveStorage(validateWriterOptions({ compression: 4 }), meta);
    const w = await Hdf5File.open(path, 'w');
    writeRootAttrs(w, meta, storage);
    w.createGroup('/3');
    writeTaskAttrs(w, '/3', taskMeta(3), { episodeReturns: [0, 2.5] }, 50, 4);
    w.close();
    const r = await Hdf5File.open(path, 'r');
    expect(readSchemaVersion(r)).toBe(1);
    expect(readRootMeta(r)).toEqual({ meta, storage, libraryVersion: '0.0.0' });
    expect(readTaskAttrs(r, '3')).toEqual({
      taskMeta: taskMeta(3),
      summary: { episodeReturns: [0, 2.5] },
      length: 50,
      streams: 4,
    });
    expect(r.readAttr('/3', 'final_return')).toBe(2.5);
    expect(r.readAttr('/', 'split_train_ratio')).toBe(0.8);
    r.close();
  });

  it('names the attribute that is missing', async () => {
    const path = join(dir, 'missing.h5');
    const w = await Hdf5File.open(path, 'w');
    w.createGroup('/0');
    w.writeAttr('/0', 'task', '{"familyId":"darkroom","index":0,"params":{}}');
    w.close();
    const r = await Hdf5File.open(path, 'r');
    expect(() => readRootMeta(r)).toThrow(
      `Cannot use ${path}: root, attribute "icrl_schema_version": the attribute is missing.`,
    );
    expect(() => readTaskAttrs(r, '0')).toThrow(
      'group "0", attribute "episode_returns": the attribute is missing.',
    );
    r.close();
  });
});
