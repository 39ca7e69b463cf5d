"""Prints a learning-history HDF5 file as JSON, as h5py sees it: every attribute, and every dataset's
dtype, shape, chunks and values. Used by the interop tests to check files written by @icrl/history-store.

usage: python3 dump_history.py FILE
"""
import json
import sys

import h5py
import numpy as np


def plain(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and value != value:
        return "NaN"
    return value


def attrs(obj):
    return {name: {"value": plain(value), "type": type(value).__name__} for name, value in obj.attrs.items()}


def main(path):
    out = {"attrs": {}, "groups": {}, "h5py": h5py.version.version, "hdf5": h5py.version.hdf5_version}
    with h5py.File(path, "r") as f:
        out["attrs"] = attrs(f)
        for name, group in f.items():
            entry = {"attrs": attrs(group), "datasets": {}}
            for ds_name, ds in group.items():
                entry["datasets"][ds_name] = {
                    "dtype": str(ds.dtype),
                    "shape": list(ds.shape),
                    "maxshape": [m if m is not None else -1 for m in ds.maxshape],
                    "chunks": list(ds.chunks) if ds.chunks else None,
                    "values": plain(ds[()]),
                }
            out["groups"][name] = entry
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
