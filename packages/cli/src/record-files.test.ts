import { describe, expect, it } from 'vitest';
import { tempDir, writeText } from '../test/helpers';
import { canonicalJson, differingKeys, readRecord } from './record-files';

describe('record files', () => {
  it('compares values whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 0 } })).toBe(
      '{"a":{"c":0,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    expect(differingKeys({ a: { x: 1, y: 2 }, b: 1 }, { a: { y: 2, x: 1 }, b: 2, c: 3 })).toEqual(['b', 'c']);
  });

  it('reads only records of the requested kind and version', () => {
    const dir = tempDir('records');
    expect(readRecord(`${dir}/absent.json`, 'results')).toBeNull();
    expect(() => readRecord(writeText(dir, 'a.json', '{oops'), 'results')).toThrow(/is not valid JSON/);
    expect(() =>
      readRecord(writeText(dir, 'b.json', '{"format":"icrl-run-record","version":1}'), 'results'),
    ).toThrow('is not an icrl-results file (its format is "icrl-run-record")');
    expect(() =>
      readRecord(writeText(dir, 'c.json', '{"format":"icrl-results","version":9}'), 'results'),
    ).toThrow('has version 9; this icrl reads version 1');
    expect(
      readRecord(writeText(dir, 'd.json', '{"format":"icrl-results","version":1,"x":2}'), 'results'),
    ).toMatchObject({ x: 2 });
  });
});
