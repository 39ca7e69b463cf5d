#!/usr/bin/env bash
# Installs the test-only system packages: the real clients the interop tests check our files against —
# Debian's h5py (history-store's HDF5 files) and onnx + numpy (transformer's ONNX export). No-op when present.
set -euo pipefail
if /usr/bin/python3 -c 'import h5py, onnx, numpy' 2>/dev/null; then exit 0; fi
SUDO=''
if [ "$(id -u)" -ne 0 ]; then SUDO='sudo'; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq python3-h5py python3-onnx >/dev/null
