#!/usr/bin/env bash
# Create .venv, install backchannel with the pinned package set, and build the embedded model
# server (llama.cpp's llama-server, from the pinned llama-cpp-python sdist; built once, cached).
# Prints a few progress lines; pip's own output goes to .venv/setup.log.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo ">> creating .venv with $($PYTHON --version)" >&2
  "$PYTHON" -m venv .venv
fi
LOG=.venv/setup.log
: >"$LOG"
pip() { .venv/bin/python -m pip --disable-pip-version-check "$@" >>"$LOG" 2>&1 || {
  echo "!! pip failed; last lines of $LOG:" >&2; tail -20 "$LOG" >&2; exit 1; }; }

pip install --quiet --upgrade "pip>=24"
echo ">> installing backchannel and its pinned dependencies (log: $LOG)" >&2
pip install --quiet -c constraints.txt -e ".[test]"
BIN="$(bash scripts/build-llama-server.sh)"
ln -sf "$BIN" .venv/bin/llama-server
echo ">> environment ready (model server: .venv/bin/llama-server)" >&2
