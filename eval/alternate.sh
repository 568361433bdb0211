#!/usr/bin/env bash
# Two or more variants of the eval over one set, article by article in turn, so that whenever the
# run is stopped (a session ends, the machine changes) every run holds the same articles and
# `backchannel compare OUT_A OUT_B --set SET` pairs any two of them. Each step is
# `eval --limit k --resume`, so a restart carries on from the committed run folders. One embedded
# model server serves every variant for the whole run (each eval finds it already running), so
# none pays a start-up.
#
#   eval/alternate.sh SET OUT_A "ENV_A" OUT_B "ENV_B" [OUT_C "ENV_C" ...]
#   eval/alternate.sh eval/dev eval/results/dev-one BACKCHANNEL_SENTENCE_ANSWER=one \
#       eval/results/dev-list BACKCHANNEL_SENTENCE_ANSWER=list
#
# Each ENV is the space-separated VAR=value settings of its variant. Run it detached
# (setsid nohup ... &) and stop it by its PID: the server goes with it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 5 ] && [ $(( ($# - 1) % 2 )) -eq 0 ] || { sed -n 2,14p "$0" >&2; exit 2; }
set_path=$1
shift
variants=()
while [ $# -gt 0 ]; do variants+=("$1|$2"); shift 2; done
n=$(find "$set_path" -maxdepth 1 -name '*.json' | wc -l)
[ "$n" -gt 0 ] || { echo "no articles in $set_path" >&2; exit 2; }

.venv/bin/python -c '
import signal, sys, time
from backchannel.embedded.local_server import embedded_backend
from backchannel.settings import Settings
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so the server it started is stopped
with embedded_backend(Settings(), lambda line: print(line, file=sys.stderr, flush=True)):
    while True:
        time.sleep(3600)
' &
holder=$! child=
trap 'kill $holder 2>/dev/null; wait $holder 2>/dev/null || true' EXIT
# A signal stops the eval running now too: bash would otherwise wait for it to finish first.
trap 'kill $child 2>/dev/null; wait $child 2>/dev/null; exit 143' TERM INT
until .venv/bin/python -c 'from backchannel.embedded.local_server import is_ready
from backchannel.settings import Settings
raise SystemExit(0 if is_ready(Settings().effective_base_url) else 1)' 2>/dev/null; do
  kill -0 $holder 2>/dev/null || { echo "the model server did not start" >&2; exit 1; }
  sleep 2
done

for k in $(seq 1 "$n"); do
  for variant in "${variants[@]}"; do
    out=${variant%%|*} vars=${variant#*|}
    # shellcheck disable=SC2086  # the variant's settings are words on purpose
    env $vars .venv/bin/backchannel eval --set "$set_path" --limit "$k" --resume --out "$out" \
      > /dev/null &
    child=$!
    wait $child || echo "step $k of $out: eval exited $?, carrying on" >&2
    child=
  done
  echo "$(date -u +%H:%M:%S) $k of $n articles in all ${#variants[@]} runs" >&2
done
