"""Model seconds per article against its length, on the embedded model (issue 16).

    .venv/bin/python bench/long_articles.py [--lengths 5000,20000,50000,100000] [--strategy X]
                                           [--api]

Builds one article per length from the dev split's texts laid end to end (the seed first, as a
user pasting a long roundup would), runs `backchannel extract --no-cache` on each on the embedded
llama.cpp server (started once, shared), and prints for each: characters, sentences, candidate
sentences, windows, model calls, prompt and generated tokens, model seconds, and seconds per
candidate. Model time should grow about linearly with the number of candidate sentences.
With `--api`, the longest article is then also posted to `backchannel serve` (result cache off,
so the model answers again) and the two results must agree: the API takes the same length.
`--results DIR` keeps each CLI result (`DIR/<length>.json`), so that `--api-only --results DIR`
can do that second part in another session.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from backchannel.contract.schema import ExtractResult
from backchannel.embedded.local_server import embedded_backend
from backchannel.model.llm import LLMClient
from backchannel.model.prompts import load_sentence_prompts
from backchannel.pipeline.strategies import candidate_sentences
from backchannel.pipeline.windows import budget, plan
from backchannel.settings import Settings
from backchannel.text.sentences import split_sentences
from common import ROOT, SEED, start_api


def article(length: int) -> str:
    texts = [SEED] + [
        json.loads(f.read_text(encoding="utf-8"))["text"]
        for f in sorted((ROOT / "eval" / "dev").glob("*.json"))
    ]
    out = ""
    for text in texts:
        if len(out) >= length:
            break
        out += text.strip() + "\n"
    return out[:length].rsplit("\n", 1)[0]


async def windows(settings: Settings, text: str) -> int:
    sentences = split_sentences(text)
    candidates = candidate_sentences(sentences)
    if not candidates:
        return 0
    prompts = load_sentence_prompts()
    longest = max(candidates, key=lambda s: len(s.text))
    llm = LLMClient(settings)
    room = await budget(llm.context, sentences, prompts.messages([], None, longest), llm.max_tokens)
    return len(plan(sentences, room))


def through_api(env: dict[str, str], text: str, cli_result: dict) -> dict:
    """POST the article to the API (cache off) and compare its meetings with the CLI's."""
    import httpx

    proc, base = start_api({**env, "BACKCHANNEL_CACHE_ENABLED": "false"})
    try:
        response = httpx.post(f"{base}/v1/extract", json={"text": text}, timeout=None)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    response.raise_for_status()
    result = response.json()
    ExtractResult.model_validate(result).check_grounded(text)
    return {
        "api_chars": len(text), "status": response.status_code,
        "api_model_s": round(result["usage"]["model_ms"] / 1000, 1),
        "api_meetings": len(result["meetings"]),
        "same_meetings_as_cli": result["meetings"] == cli_result["meetings"],
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="5000,20000,50000,100000")
    parser.add_argument("--strategy", default="sentence")
    parser.add_argument("--api", action="store_true", help="the longest also through the API")
    parser.add_argument("--results", type=Path, help="keep each CLI result here, as <length>.json")
    parser.add_argument("--api-only", action="store_true",
                        help="only the API part, against the CLI result in --results")  # fmt: skip
    args = parser.parse_args()
    if args.api_only and args.results is None:
        parser.error("--api-only needs --results DIR (from an earlier run)")
    settings = Settings(strategy=args.strategy)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKCHANNEL_")}
    env["BACKCHANNEL_STRATEGY"] = args.strategy
    cli = str(Path(sys.executable).with_name("backchannel"))
    rows = []
    lengths = [int(x) for x in args.lengths.split(",")]
    with embedded_backend(settings, lambda m: print(m, file=sys.stderr)):
        if args.api_only:
            longest = max(lengths)
            kept = json.loads((args.results / f"{longest}.json").read_text(encoding="utf-8"))
            print(json.dumps(through_api(env, article(longest), kept)), flush=True)
            return 0
        for length in lengths:
            text = article(length)
            path = Path(tempfile.mkdtemp()) / "article.txt"
            path.write_text(text, encoding="utf-8")
            proc = subprocess.run([cli, "extract", str(path), "--no-cache"], env=env,
                                  capture_output=True, text=True)  # fmt: skip
            if proc.returncode != 0:
                print(f"{length}: failed: {proc.stderr.strip()[-300:]}", file=sys.stderr)
                continue
            result = json.loads(proc.stdout)
            if args.results is not None:
                args.results.mkdir(parents=True, exist_ok=True)
                (args.results / f"{length}.json").write_text(proc.stdout, encoding="utf-8")
            sentences = split_sentences(text)
            candidates = len(candidate_sentences(sentences))
            seconds = result["usage"]["model_ms"] / 1000
            rows.append({
                "chars": len(text), "sentences": len(sentences), "candidates": candidates,
                "windows": asyncio.run(windows(settings, text)),
                "calls": result["usage"]["calls"],
                "prompt_tokens": result["usage"]["prompt_tokens"],
                "completion_tokens": result["usage"]["completion_tokens"],
                "model_s": round(seconds, 1),
                "s_per_candidate": round(seconds / max(candidates, 1), 2),
                "meetings": len(result["meetings"]),
            })  # fmt: skip
            ExtractResult.model_validate(result).check_grounded(text)  # raises if not
            print(json.dumps(rows[-1]), flush=True)
        if args.api and rows:
            print(json.dumps(through_api(env, text, result)), flush=True)
    print("| chars | sentences | candidates | windows | calls | model s | s/candidate |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['chars']:,} | {r['sentences']} | {r['candidates']} | {r['windows']} | "
              f"{r['calls']} | {r['model_s']} | {r['s_per_candidate']} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
