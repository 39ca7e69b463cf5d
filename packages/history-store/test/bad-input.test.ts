import { copyFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, InvalidFileError } from '@icrl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Hdf5File } from '../src/hdf5-file';
import { writeTaskAttrs } from '../src/history-attributes';
import { HistoryReader } from '../src/history-reader';
import { HistoryWriter } from '../src/history-writer';
import { gridBatch, gridMeta, taskMeta } from './synthetic-history';
import { tempDir } from './temp-dir';

// Every kind of bad file gets one clear InvalidFileError naming the file, the group and the field; bad
// options get an InvalidArgumentError naming the option. Never a crash in wasm, never a silent null.

const dir = tempDir();
const S = 2;
const T = 10;
let valid = '';

beforeAll(async () => {
  valid = join(dir, 'valid.h5');
  const writer = new HistoryWriter(valid);
  await writer.open(gridMeta(S));
  writer.beginTask(taskMeta(0));
  writer.append(0, gridBatch(0, 0, T, S));
  writer.endTask(0, { episodeReturns: [1] });
  await writer.close();
});

/** A copy of the valid file, changed by `edit` through h5wasm. */
async function variant(name: string, edit: (file: Hdf5File) => void): Promise<string> {
  const path = join(dir, name);
  copyFileSync(valid, path);
  const file = await Hdf5File.open(path, 'a');
  edit(file);
  file.close();
  return path;
}

/** Adds task group `/1` with the given datasets (int32 unless `dtypes` says otherwise). */
function addTask(file: Hdf5File, datasets: Record<string, number[]>, dtypes: Record<string, 'float32'> = {}) {
  file.createGroup('/1');
  writeTaskAttrs(file, '/1', taskMeta(1), { episodeReturns: [] }, T, S);
  for (const [name, shape] of Object.entries(datasets)) {
    file.createDataset(`/1/${name}`, {
      dtype: dtypes[name] ?? 'int32',
      shape,
      maxshape: shape,
      chunks: shape.map((d) => Math.max(1, d)),
    });
  }
}

const FULL = { states: [T, S, 2], actions: [T, S], rewards: [T, S], next_states: [T, S, 2], dones: [T, S] };

async function expectInvalid(path: string, message: string) {
  const attempt = HistoryReader.open(path);
  await expect(attempt).rejects.toBeInstanceOf(InvalidFileError);
  await expect(HistoryReader.open(path)).rejects.toThrow(`Cannot use ${path}: ${message}`);
}

describe('bad files', () => {
  it('rejects a truncated file', async () => {
    const path = join(dir, 'truncated.h5');
    copyFileSync(valid, path);
    truncateSync(path, Math.floor(statSync(valid).size * 0.6));
    await expectInvalid(
      path,
      'the file is truncated: HDF5 reports H5F__super_read(): truncated file: eof = ',
    );
  });

  it('rejects a file that is not HDF5', async () => {
    const path = join(dir, 'history.csv.h5');
    writeFileSync(path, 'task,stream,step,state\n0,0,0,"(1, 2)"\n'.repeat(64));
    await expectInvalid(path, 'it is not an HDF5 file (no HDF5 signature found).');
  });

  it('rejects a missing file and an empty one', async () => {
    await expectInvalid(join(dir, 'nowhere.h5'), 'the file does not exist.');
    const empty = join(dir, 'empty.h5');
    writeFileSync(empty, '');
    await expectInvalid(empty, 'the file is empty (0 bytes).');
  });

  it('rejects a missing dataset, naming group and field', async () => {
    const { rewards: _, ...withoutRewards } = FULL;
    const path = await variant('missing-rewards.h5', (f) => addTask(f, withoutRewards));
    await expectInvalid(
      path,
      'group "1", field "rewards": the dataset is missing (the icrl layout requires it).',
    );
  });

  it('rejects a mistyped dataset, naming group and field', async () => {
    const path = await variant('float-dones.h5', (f) => addTask(f, FULL, { dones: 'float32' }));
    await expectInvalid(
      path,
      'group "1", field "dones": the dtype is float32; expected bool or an integer dtype.',
    );
  });

  it('rejects a shape that disagrees with the attributes', async () => {
    const length = await variant('length-attr.h5', (f) => f.writeAttr('/0', 'length', T - 1));
    await expectInvalid(
      length,
      `group "0", field "states": the shape (${T}, ${S}, 2) has ${T} steps but the group attribute "length" says ${T - 1}.`,
    );
    const streams = await variant('streams.h5', (f) => addTask(f, { ...FULL, states: [T, S + 1, 2] }));
    await expectInvalid(
      streams,
      `group "1", field "states": the shape (${T}, ${S + 1}, 2) has ${S + 1} streams but the file attribute "streams" says ${S}.`,
    );
    const obs = await variant('obs-shape.h5', (f) => addTask(f, { ...FULL, states: [T, S, 3] }));
    await expectInvalid(
      obs,
      'group "1", field "states": one step has shape (3) but the observation space says (2).',
    );
    const steps = await variant('actions-steps.h5', (f) => addTask(f, { ...FULL, actions: [T + 1, S] }));
    await expectInvalid(
      steps,
      `group "1", field "actions": the shape (${T + 1}, ${S}) disagrees with "states": ${T} steps × ${S} streams.`,
    );
  });

  it('rejects a schema version newer than the reader', async () => {
    const path = await variant('future.h5', (f) => f.writeAttr('/', 'icrl_schema_version', 2));
    await expectInvalid(
      path,
      'root, attribute "icrl_schema_version": the file uses history schema version 2, newer than the version this reader understands (1); upgrade @icrl/history-store.',
    );
  });

  it('rejects corrupt meta and task attributes', async () => {
    const meta = await variant('bad-meta.h5', (f) => f.writeAttr('/', 'icrl_meta', '{"envId": "darkroom"'));
    await expectInvalid(meta, 'root, attribute "icrl_meta": not valid JSON.');
    const task = await variant('bad-task.h5', (f) =>
      f.writeAttr('/0', 'task', '{"familyId":"darkroom","index":-3,"params":{}}'),
    );
    await expectInvalid(
      task,
      'group "0", attribute "task": Invalid task.index: got -3; expected an integer in [0, 2147483647].',
    );
  });

  it('refuses to read a foreign file as icrl', async () => {
    const path = join(dir, 'plain.h5');
    const file = await Hdf5File.open(path, 'w');
    file.createGroup('/0');
    for (const [name, shape] of Object.entries(FULL))
      file.createDataset(`/0/${name}`, { dtype: 'int32', shape, maxshape: shape, chunks: shape });
    file.close();
    await expect(HistoryReader.open(path, { layout: 'icrl' })).rejects.toThrow(
      `Cannot use ${path}: it was not written by @icrl/history-store (no "icrl_schema_version" attribute); pass { layout: 'dicp' } or { layout: 'xland' } for files written by h5py.`,
    );
    const reader = await HistoryReader.open(path); // detected as dicp
    expect(reader.layout).toBe('dicp');
    reader.close();
  });
});

describe('bad reader arguments', () => {
  it.each([
    [
      { layout: 'hdf' },
      'Invalid options.layout: got "hdf"; expected one of "auto", "icrl", "dicp", "xland".',
    ],
    [{ cacheBytes: -1 }, 'Invalid options.cacheBytes: got -1'],
    [{ meta: { envId: 'x' } }, 'Invalid options.meta'],
    [{ colour: 1 }, 'Invalid options.colour'],
  ])('rejects bad options (%#)', async (options, message) => {
    await expect(HistoryReader.open(valid, options as never)).rejects.toThrow(InvalidArgumentError);
    await expect(HistoryReader.open(valid, options as never)).rejects.toThrow(message);
  });

  it('rejects reads outside the file', async () => {
    const reader = await HistoryReader.open(valid);
    expect(() => reader.read(3, 0, 0, 1)).toThrow(
      'Invalid taskIndex: got 3; expected a task present in the file (1 tasks, indices 0..0).',
    );
    expect(() => reader.read(0, S, 0, 1)).toThrow(
      `Invalid stream: got ${S}; expected an integer in [0, ${S - 1}].`,
    );
    expect(() => reader.read(0, 0, 8, 3)).toThrow('Invalid length: got 3; expected an integer in [0, 2].');
    expect(() => reader.readTask(0, 0, T, ['success'])).toThrow('Invalid fields: got "success"');
    reader.close();
  });
});
