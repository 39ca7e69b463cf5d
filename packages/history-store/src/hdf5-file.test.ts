import { copyFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidFileError } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir';
import { Hdf5File } from './hdf5-file';

const dir = tempDir();

async function smallFile(name: string): Promise<string> {
  const path = join(dir, name);
  const file = await Hdf5File.open(path, 'w');
  file.createGroup('/0');
  file.createDataset('/0/states', {
    dtype: 'int32',
    shape: [0, 3, 2],
    maxshape: [null, 3, 2],
    chunks: [4, 1, 2],
  });
  file.resize('/0/states', [5, 3, 2]);
  const values = new Int32Array(30).map((_, i) => i);
  file.write('/0/states', [0, 0, 0], [5, 3, 2], new Uint8Array(values.buffer));
  file.writeAttr('/0', 'length', 5);
  file.writeAttr('/', 'env_id', 'darkroom');
  file.writeAttr('/0', 'episode_returns', [0.5, 1.5], 'float');
  file.writeAttr('/0', 'empty', [], 'float');
  file.writeAttr('/', 'seed', 2 ** 40 + 3, 'int64');
  file.close();
  return path;
}

describe('Hdf5File', () => {
  it('creates, extends, writes and reads back chunked datasets and attributes', async () => {
    const path = await smallFile('ok.h5');
    const file = await Hdf5File.open(path, 'r');
    expect(file.kind('/0')).toBe('group');
    expect(file.kind('/0/states')).toBe('dataset');
    expect(file.kind('/nope')).toBe('missing');
    expect([...file.children('/')]).toEqual([['0', 'group']]);
    expect(file.datasetInfo('/0/states')).toEqual({
      shape: [5, 3, 2],
      chunks: [4, 1, 2],
      dtype: 'int32',
      dtypeText: 'int32',
    });
    // stream 1, steps 2..3
    const bytes = file.read('/0/states', [2, 1, 0], [2, 1, 2], 4);
    expect([...new Int32Array(bytes.slice().buffer)]).toEqual([14, 15, 20, 21]);
    expect(file.readAttr('/0', 'length')).toBe(5);
    expect(file.readAttr('/', 'env_id')).toBe('darkroom');
    expect(file.readAttr('/0', 'episode_returns')).toEqual([0.5, 1.5]);
    expect(file.readAttr('/0', 'empty')).toEqual([]);
    expect(file.readAttr('/', 'seed')).toBe(2 ** 40 + 3);
    expect(file.readAttr('/', 'missing')).toBeUndefined();
    file.close();
    file.close(); // idempotent
  });

  it('replaces an attribute that already exists', async () => {
    const path = await smallFile('replace.h5');
    const file = await Hdf5File.open(path, 'a');
    file.writeAttr('/0', 'length', 7);
    file.close();
    const again = await Hdf5File.open(path, 'r');
    expect(again.readAttr('/0', 'length')).toBe(7);
    again.close();
  });

  it('turns HDF5 failures into InvalidFileError with HDF5 own reason', async () => {
    const path = await smallFile('errors.h5');
    const file = await Hdf5File.open(path, 'r');
    expect(() => file.datasetInfo('/0/rewards')).toThrow(InvalidFileError);
    expect(() => file.read('/0/states', [4, 0, 0], [3, 1, 2], 4)).toThrow(
      /reading \/0\/states\[4:7, 0:1, 0:2\] failed/,
    );
    file.close();
    expect(() => file.kind('/0')).toThrow(/already closed/);
  });

  it('rejects missing, empty, non-HDF5 and truncated files before or at open', async () => {
    await expect(Hdf5File.open(join(dir, 'absent.h5'), 'r')).rejects.toThrow('the file does not exist.');
    const empty = join(dir, 'empty.h5');
    writeFileSync(empty, '');
    await expect(Hdf5File.open(empty, 'r')).rejects.toThrow('the file is empty (0 bytes).');
    const text = join(dir, 'text.h5');
    writeFileSync(text, 'step,reward\n0,1\n'.repeat(100));
    await expect(Hdf5File.open(text, 'r')).rejects.toThrow(`Cannot use ${text}: it is not an HDF5 file`);
    const source = await smallFile('whole.h5');
    const truncated = join(dir, 'truncated.h5');
    copyFileSync(source, truncated);
    truncateSync(truncated, Math.floor(statSync(source).size / 2));
    await expect(Hdf5File.open(truncated, 'r')).rejects.toThrow(
      /the file is truncated: HDF5 reports .*truncated file/,
    );
  });
});
