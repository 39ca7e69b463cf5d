import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers';
import { writeFileAtomic, writeJsonAtomic } from './atomic-write';

describe('writeFileAtomic', () => {
  it('creates parent directories, replaces the file whole and leaves no temp file', () => {
    const dir = tempDir('atomic');
    const path = join(dir, 'a', 'b.json');
    writeJsonAtomic(path, { x: 1 });
    writeFileAtomic(path, new Uint8Array([0x7b, 0x7d]));
    expect(readFileSync(path, 'utf8')).toBe('{}');
    expect(readdirSync(join(dir, 'a'))).toEqual(['b.json']);
  });

  it('fails without touching the target when the temp file cannot be renamed over it', () => {
    const dir = tempDir('atomic-fail');
    writeFileAtomic(join(dir, 'x', 'keep.txt'), 'kept');
    expect(() => writeFileAtomic(join(dir, 'x'), 'data')).toThrow();
    expect(readFileSync(join(dir, 'x', 'keep.txt'), 'utf8')).toBe('kept');
    expect(readdirSync(dir)).toEqual(['x']);
  });
});
