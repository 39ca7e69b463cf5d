"""Writes small learning-history files the way their reference code does, with h5py, for the reader's
interop tests. Values follow cell(task, t, s) = (7 task + 3 t + 5 s) % 9, as test/synthetic-history.ts.

usage: python3 write_foreign.py dicp|dicp-metaworld|xland|ambiguous FILE TASKS STEPS STREAMS
  dicp            DICP gridworld (gw/collect_data.py): time-major int32, bool dones, optimal_actions (S, T)
  dicp-metaworld  DICP Meta-World (mw/collect_data.py): float32 states (T, S, 18), actions (T, S, 4), success
  xland           XLand-100B: stream-major, uint8 states (S, T, 5, 5), float16 rewards, bool dones,
                  expert_actions, chunks (1, 128) gzip 6, group attributes env-id/benchmark-id/ruleset-id
  ambiguous       time-major states/actions/rewards/dones only (neither DICP nor XLand can be told)
"""
import sys

import h5py
import numpy as np


def cell(task, t, s):
    return (task * 7 + t * 3 + s * 5) % 9


def grid(task, steps, streams):
    t = np.arange(steps)[:, None]
    s = np.arange(streams)[None, :]
    states = np.stack([cell(task, t, s), cell(task, t + 1, s)], axis=-1).astype(np.int32)
    next_states = np.stack([cell(task, t + 1, s), cell(task, t + 2, s)], axis=-1).astype(np.int32)
    actions = ((task + t + s) % 5).astype(np.int32)
    rewards = ((t + s) % 3 == 0).astype(np.int32)
    dones = ((t + 1) % 4 == 0) & (s >= 0)
    optimal = ((task + s + 2 * t) % 5).astype(np.int32).T  # stream-major, as DICP stores it
    return states, actions, rewards, next_states, dones, optimal


def main(kind, path, tasks, steps, streams):
    with h5py.File(path, "w") as f:
        for task in range(tasks):
            g = f.create_group(str(task))
            states, actions, rewards, next_states, dones, optimal = grid(task, steps, streams)
            if kind == "dicp":
                g.create_dataset("states", data=states)
                g.create_dataset("actions", data=actions)
                g.create_dataset("rewards", data=rewards)
                g.create_dataset("next_states", data=next_states)
                g.create_dataset("dones", data=dones)
                g.create_dataset("optimal_actions", data=optimal)
            elif kind == "dicp-metaworld":
                base = np.arange(steps * streams * 18, dtype=np.float32).reshape(steps, streams, 18) / 7 + task
                g.create_dataset("states", data=base)
                g.create_dataset("actions", data=(base[:, :, :4] / 100 - 0.5).astype(np.float32))
                g.create_dataset("rewards", data=(base[:, :, 0] / 3).astype(np.float32))
                g.create_dataset("next_states", data=base + 1)
                g.create_dataset("dones", data=dones)
                g.create_dataset("success", data=(rewards > 0).astype(np.float32))
            elif kind == "xland":
                g.attrs["env-id"] = "XLand-MiniGrid-R1-9x9"
                g.attrs["benchmark-id"] = "trivial-1m"
                g.attrs["ruleset-id"] = 1000 + task
                obs = np.zeros((streams, steps, 5, 5), dtype=np.uint8)
                for s in range(streams):
                    for t in range(steps):
                        obs[s, t] = (cell(task, t, s) * 12 + np.arange(25).reshape(5, 5)) % 256
                kw = dict(compression="gzip", compression_opts=6)
                chunk = min(128, steps)
                g.create_dataset("states", data=obs, chunks=(1, chunk, 5, 5), **kw)
                g.create_dataset("actions", data=actions.T.astype(np.uint8), chunks=(1, chunk), **kw)
                g.create_dataset("rewards", data=(rewards.T * 0.75).astype(np.float16), chunks=(1, chunk), **kw)
                g.create_dataset("dones", data=dones.T, chunks=(1, chunk), **kw)
                g.create_dataset("expert_actions", data=optimal.astype(np.uint8), chunks=(1, chunk), **kw)
            elif kind == "ambiguous":
                g.create_dataset("states", data=states)
                g.create_dataset("actions", data=actions)
                g.create_dataset("rewards", data=rewards)
                g.create_dataset("dones", data=dones)
            else:
                raise SystemExit(f"unknown kind {kind}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
