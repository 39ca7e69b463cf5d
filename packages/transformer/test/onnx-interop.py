"""Interop check of an exported icrl ONNX file from Python, independent of onnxruntime.

Usage: python3 onnx-interop.py MODEL.onnx < inputs.json > outputs.json
Loads the file with the official `onnx` package (Debian: python3-onnx), runs `onnx.checker.check_model(full_check=True)`
(which includes shape inference), then evaluates the graph node by node with numpy (the ops icrl's exporter emits)
on the JSON inputs {name: {"dims": [...], "data": [...], "type": "float32"|"int64"}} and prints the outputs as JSON.
"""

import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def attrs(node):
    out = {}
    for a in node.attribute:
        v = onnx.helper.get_attribute_value(a)
        out[a.name] = v
    return out


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def slice_(x, starts, ends, axes=None):
    idx = [slice(None)] * x.ndim
    if axes is None:
        axes = range(len(starts))
    for s, e, a in zip(starts, ends, axes):
        idx[int(a)] = slice(int(s), int(e))
    return x[tuple(idx)]


def run_graph(graph, env):
    """Evaluates `graph` on the values in `env` (its inputs); returns its outputs in order."""
    env = dict(env)
    for init in graph.initializer:
        env[init.name] = numpy_helper.to_array(init)
    for node in graph.node:
        i = [env[n] for n in node.input]
        a = attrs(node)
        op = node.op_type
        if op == "Shape":
            y = np.array(i[0].shape, dtype=np.int64)
        elif op == "Gather":
            y = np.take(i[0], i[1], axis=a.get("axis", 0))
        elif op == "Add":
            y = i[0] + i[1]
        elif op == "Sub":
            y = i[0] - i[1]
        elif op == "Mul":
            y = i[0] * i[1]
        elif op == "Div":
            y = i[0] // i[1] if i[0].dtype == np.int64 else i[0] / i[1]
        elif op == "Pow":
            y = np.power(i[0], i[1])
        elif op == "MatMul":
            y = np.matmul(i[0], i[1])
        elif op == "Range":
            y = np.arange(i[0], i[1], i[2], dtype=np.int64)
        elif op == "Unsqueeze":
            y = np.expand_dims(i[0], tuple(int(v) for v in i[1]))
        elif op == "Concat":
            y = np.concatenate(i, axis=a["axis"])
        elif op == "Split":
            bounds = np.cumsum(i[1])[:-1]
            y = np.split(i[0], bounds, axis=a.get("axis", 0))
        elif op == "Greater":
            y = i[0] > i[1]
        elif op == "Where":
            y = np.where(i[0], i[1], i[2])
        elif op == "Expand":
            y = i[0] * np.ones(tuple(int(d) for d in i[1]), dtype=i[0].dtype)
        elif op == "Trilu":
            k = int(i[1]) if len(i) > 1 else 0
            y = np.triu(i[0], k) if a.get("upper", 1) else np.tril(i[0], k)
        elif op == "ReduceMean":
            y = i[0].mean(axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1)))
        elif op == "Sqrt":
            y = np.sqrt(i[0])
        elif op == "Reciprocal":
            y = 1 / i[0]
        elif op == "Slice":
            y = slice_(i[0], *i[1:])
        elif op == "Reshape":
            keep = not a.get("allowzero", 0)  # allowzero=1: a 0 is a zero-length axis, not "copy"
            shape = [i[0].shape[k] if int(d) == 0 and keep else int(d) for k, d in enumerate(i[1])]
            y = i[0].reshape(shape)
        elif op == "Transpose":
            y = np.transpose(i[0], a["perm"])
        elif op == "Softmax":
            y = softmax(i[0], a.get("axis", -1))
        elif op == "Sigmoid":
            y = 1 / (1 + np.exp(-i[0]))
        elif op == "Pad":
            n = i[0].ndim
            y = np.pad(i[0], [(int(i[1][k]), int(i[1][k + n])) for k in range(n)])
        elif op == "Clip":
            y = np.clip(i[0], i[1], i[2])
        elif op == "Identity":
            y = i[0]
        else:
            raise SystemExit(f"unsupported op {op}")
        outs = y if isinstance(y, list) else [y]
        for name, value in zip(node.output, outs):
            env[name] = value
    return [env[o.name] for o in graph.output]


def run(model, feeds):
    values = run_graph(model.graph, feeds)
    return {o.name: v for o, v in zip(model.graph.output, values)}


def main():
    model = onnx.load(sys.argv[1])
    onnx.checker.check_model(model, full_check=True)
    raw = json.load(sys.stdin)
    feeds = {
        k: np.array(v["data"], dtype=np.float32 if v["type"] == "float32" else np.int64).reshape(v["dims"])
        for k, v in raw.items()
    }
    out = run(model, feeds)
    json.dump(
        {
            "opset": model.opset_import[0].version,
            "outputs": {k: {"dims": list(v.shape), "data": v.astype(np.float64).ravel().tolist()} for k, v in out.items()},
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
