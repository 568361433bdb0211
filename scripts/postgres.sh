#!/usr/bin/env bash
# A local PostgreSQL for the store's tests: Debian's server, started, with a role and a database.
# Prints the database URL for BACKCHANNEL_TEST_POSTGRES_URL. Needs root (installs if missing).
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null; then
  echo "installing PostgreSQL (Debian's package)" >&2
  apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_lsclusters -h | grep -q "^$version main" || pg_createcluster "$version" main >/dev/null
pg_lsclusters -h | grep -q "^$version main .* online" || pg_ctlcluster "$version" main start >&2
sql() { su postgres -c "psql -q -tA -c \"$1\""; }
[ "$(sql "SELECT 1 FROM pg_roles WHERE rolname = 'backchannel'")" = 1 ] ||
  sql "CREATE ROLE backchannel LOGIN PASSWORD 'backchannel'"
[ "$(sql "SELECT 1 FROM pg_database WHERE datname = 'backchannel_test'")" = 1 ] ||
  sql "CREATE DATABASE backchannel_test OWNER backchannel"
echo "postgresql+psycopg://backchannel:backchannel@127.0.0.1:5432/backchannel_test"
