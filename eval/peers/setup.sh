#!/usr/bin/env bash
# A separate virtual environment for the peer tools (LangExtract), pinned, so that nothing of
# theirs enters backchannel's own environment.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet -r requirements.txt 2>&1 \
  | grep -v "is ignored: it is neither a file nor a directory" >&2 || true
.venv/bin/python -c "from importlib.metadata import version as v; print('langextract', v('langextract'), 'openai', v('openai'))"
