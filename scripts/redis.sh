#!/usr/bin/env bash
# A local Redis for the shared-cache tests: Debian's redis-server on 127.0.0.1:6379 (started
# unless one answers there), no persistence. Prints its URL for BACKCHANNEL_TEST_REDIS_URL.
set -euo pipefail
port="${REDIS_PORT:-6379}"
command -v redis-server >/dev/null || bash "$(dirname "$0")/debian-packages.sh"
if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --logfile /tmp/backchannel-redis-$port.log >/dev/null
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
echo "redis://127.0.0.1:$port/0"
