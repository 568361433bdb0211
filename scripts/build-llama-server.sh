#!/usr/bin/env bash
# Build llama.cpp's own `llama-server` from the llama.cpp tree vendored in the pinned
# llama-cpp-python sdist (a PyPI package: no other download), once, into a cache folder keyed by
# version and CPU flags; a second run only prints the path. Portable flags: never -march=native.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="$(grep -i '^llama_cpp_python==' constraints.txt | cut -d= -f3)"
FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  FLAGS="$FLAGS -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON"
fi
CACHE="${BACKCHANNEL_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/backchannel/llama-server}"
KEY="$VERSION-$(echo "$FLAGS" | sha256sum | cut -c1-8)"
OUT="$CACHE/$KEY/llama-server"
if [ -x "$OUT" ] && "$OUT" --version >/dev/null 2>&1; then
  echo "$OUT"
  exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo ">> building llama-server $VERSION (about 7 minutes, once; log: $WORK/build.log)" >&2
.venv/bin/python -m pip download --quiet --no-deps --no-binary :all: \
  "llama-cpp-python==$VERSION" -d "$WORK" >"$WORK/build.log" 2>&1
tar -xzf "$WORK"/llama_cpp_python-*.tar.gz -C "$WORK"
SRC="$(echo "$WORK"/llama_cpp_python-*/vendor/llama.cpp)"
# shellcheck disable=SC2086 # FLAGS is a list of -D options
cmake -S "$SRC" -B "$WORK/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF $FLAGS >>"$WORK/build.log" 2>&1 \
  || { tail -30 "$WORK/build.log" >&2; exit 1; }
cmake --build "$WORK/build" --target llama-server -j "$(nproc)" >>"$WORK/build.log" 2>&1 \
  || { tail -30 "$WORK/build.log" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
install -m 755 "$WORK/build/bin/llama-server" "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
echo ">> llama-server ready: $OUT" >&2
echo "$OUT"
