import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir';
import { detectLayout, taskGroupNames } from './detect-layout';
import { Hdf5File } from './hdf5-file';

const dir = tempDir();

async function file(name: string, build: (f: Hdf5File) => void): Promise<Hdf5File> {
  const path = join(dir, name);
  const f = await Hdf5File.open(path, 'w');
  build(f);
  f.close();
  return Hdf5File.open(path, 'r');
}

const dataset = (f: Hdf5File, path: string) =>
  f.createDataset(path, { dtype: 'int32', shape: [2, 2], maxshape: [2, 2], chunks: [2, 2] });

describe('detectLayout', () => {
  it('tells icrl, dicp and xland files apart', async () => {
    const icrl = await file('icrl.h5', (f) => f.writeAttr('/', 'icrl_schema_version', 1));
    expect(detectLayout(icrl)).toBe('icrl');
    const dicp = await file('dicp.h5', (f) => {
      f.createGroup('/0');
      dataset(f, '/0/next_states');
    });
    expect(detectLayout(dicp)).toBe('dicp');
    const xland = await file('xland.h5', (f) => {
      f.createGroup('/0');
      f.writeAttr('/0', 'ruleset-id', 12);
    });
    expect(detectLayout(xland)).toBe('xland');
    for (const f of [icrl, dicp, xland]) f.close();
  });

  it('lists task groups in numeric order, ignoring other members', async () => {
    const f = await file('groups.h5', (w) => {
      for (const name of ['10', '2', 'notes', '0']) w.createGroup(`/${name}`);
      dataset(w, '/7');
    });
    expect(taskGroupNames(f)).toEqual(['0', '2', '10']);
    f.close();
  });

  it('rejects files without task groups', async () => {
    const f = await file('empty-root.h5', () => {});
    expect(() => detectLayout(f)).toThrow(
      'it has no task groups ("0", "1", ...) at its root; it is not a learning-history file.',
    );
    f.close();
  });
});
