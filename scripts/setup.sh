#!/usr/bin/env bash
# Create .venv and install backchannel with the pinned package set, including the embedded model
# server (llama-cpp-python, built from source once; pip keeps the wheel in its cache).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo ">> creating .venv with $($PYTHON --version)" >&2
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade "pip>=24"

# Portable llama.cpp build: never -march=native (this VM traps on some reported features).
CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  CMAKE_ARGS="$CMAKE_ARGS -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON"
fi
export CMAKE_ARGS CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)"

echo ">> installing backchannel and its pinned dependencies (first run builds llama-cpp-python: ~6 min)" >&2
.venv/bin/python -m pip install --progress-bar on -c constraints.txt -e ".[test,local]" 2>&1 \
  | grep -v "is ignored: it is neither a file nor a directory" >&2
echo ">> environment ready" >&2
