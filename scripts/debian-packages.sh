#!/usr/bin/env bash
# The Debian packages the tests use (PostgreSQL for the store, Redis for the shared cache,
# Chromium for the pages), installed when missing with one `apt-get update`. Needs root.
set -euo pipefail
missing=()
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
echo ">> installing Debian packages: ${missing[*]}" >&2
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
