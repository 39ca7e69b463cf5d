import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureHdf5Diagnostics, lastHdf5Reason } from './hdf5-diagnostics';

describe('captureHdf5Diagnostics', () => {
  it('collects fd-2 writes made during the call and restores fs.writeSync afterwards', () => {
    const before = fs.writeSync;
    const { value, text } = captureHdf5Diagnostics(() => {
      fs.writeSync(2, Buffer.from('xxHDF5-DIAG: oopsxx'), 2, 15);
      fs.writeSync(2, ' and more');
      return 7;
    });
    expect(value).toBe(7);
    expect(text).toBe('HDF5-DIAG: oops and more');
    expect(fs.writeSync).toBe(before);
  });

  it('restores fs.writeSync when the call throws', () => {
    const before = fs.writeSync;
    expect(() =>
      captureHdf5Diagnostics(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(fs.writeSync).toBe(before);
  });
});

describe('lastHdf5Reason', () => {
  it('picks the innermost frame of an HDF5 error stack', () => {
    const text = [
      'HDF5-DIAG: Error detected in HDF5 (2.0.0):',
      '  #000: /src/H5F.c line 821 in H5Fopen(): unable to synchronously open file',
      '    major: File accessibility',
      '  #001: /src/H5Fsuper.c line 600 in H5F__super_read(): truncated file: eof = 10, stored_eof = 20',
      '    major: File accessibility',
    ].join('\n');
    expect(lastHdf5Reason(text)).toBe('H5F__super_read(): truncated file: eof = 10, stored_eof = 20');
  });

  it('returns an empty string when there is no error stack', () => {
    expect(lastHdf5Reason('')).toBe('');
  });
});
