"""Run `backchannel eval`'s extraction one article at a time, appending each result to a file.

A baseline on the test split runs for hours on two CPU cores, longer than a working session, and
the model cache lives on the machine (a new machine starts empty). This driver keeps what finished
in a predictions file that can be committed: a restart skips every id already in it. It runs
whichever backchannel is on PYTHONPATH (a baseline runs the code frozen with the split), with that
code's own settings, embedded server, extractor and batch runner; the finished file is scored with
that code's `backchannel eval --predictions FILE`. An article that fails is written as its error
record (it scores as empty) and is not retried, as in a one-go eval run.

    PYTHONPATH=/tmp/freeze/service python eval/results/resumable.py --set eval/test \
        --strategy single --out eval/results/2026-12-01-test-single/predictions.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from backchannel.embedded.local_server import embedded_backend
from backchannel.evaluation import report as evaluate
from backchannel.evaluation.gold import load_set
from backchannel.pipeline.batch import run_batch
from backchannel.pipeline.extractor import Extractor
from backchannel.settings import Settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="predictions.jsonl, appended to")
    parser.add_argument("--strategy", choices=["single", "sentence"], default=None)
    args = parser.parse_args()

    done: set[str] = set()
    if args.out.exists():
        data = args.out.read_bytes()
        if data and not data.endswith(b"\n"):  # killed while writing: that article runs again
            args.out.write_bytes(data[: data.rfind(b"\n") + 1])
        done = set(evaluate.load_predictions(args.out))
    gold = [a for a in load_set(args.set, None, 0, frozenset()) if a.id not in done]
    print(f"{len(done)} done, {len(gold)} to run", file=sys.stderr)
    settings = Settings(**({"strategy": args.strategy} if args.strategy else {}))
    args.out.parent.mkdir(parents=True, exist_ok=True)

    with args.out.open("a", encoding="utf-8") as fh:

        def emit(outcome) -> None:
            record = json.loads(outcome.to_json())
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            seconds = (record.get("usage") or {}).get("model_ms", 0) / 1000
            print(f"{outcome.item.request.id}: ok={outcome.ok} {seconds:.1f} model s",
                  file=sys.stderr, flush=True)  # fmt: skip

        with embedded_backend(settings, lambda line: print(line, file=sys.stderr)):
            extractor = Extractor(settings)
            asyncio.run(run_batch(extractor, evaluate.batch_items(gold), 1, emit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
