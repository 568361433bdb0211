"""Prompt tokens per article divided by the article's own tokens, for each strategy.

    .venv/bin/python bench/tokens.py

Counts with the embedded model's own tokenizer (vocab only, no weights loaded) over the eval set.
For `sentence`, "sent" is every call's full prompt, "evaluated" what the server must process when
it reuses the prompt prefix it cached from the previous call (its first call pays the prefix).
"""

from __future__ import annotations

import datetime as dt
import json
import statistics

from backchannel.embedded.model_files import VARIANTS, model_path
from backchannel.model.prompts import load_prompts, load_sentence_prompts
from backchannel.pipeline.strategies import candidate_sentences
from backchannel.settings import Settings
from backchannel.text.sentences import split_sentences
from common import ROOT


def main() -> None:
    from llama_cpp import Llama

    path = model_path(Settings().model_dir, VARIANTS["1.5b"])
    llm = Llama(model_path=str(path), vocab_only=True, verbose=False)

    def render(messages: list[dict]) -> list[int]:
        text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
        return llm.tokenize((text + "<|im_start|>assistant\n").encode(), special=True)

    single, sentence = load_prompts(), load_sentence_prompts()
    ratios: dict[str, list[float]] = {"single": [], "sentence sent": [], "sentence evaluated": []}
    for f in sorted((ROOT / "eval" / "dev").glob("*.json")):
        art = json.loads(f.read_text())
        date = dt.date.fromisoformat(art["published_at"]) if art["published_at"] else None
        sents = split_sentences(art["text"])
        own = len(llm.tokenize(art["text"].encode()))
        ratios["single"].append(len(render(single.messages(sents, date))) / own)
        prompts = [render(sentence.messages(sents, date, s))
                   for s in candidate_sentences(sents)]  # fmt: skip
        sent = sum(len(p) for p in prompts)
        evaluated = len(prompts[0]) if prompts else 0
        for prev, cur in zip(prompts, prompts[1:], strict=False):
            pairs = enumerate(zip(prev, cur, strict=False))
            common = next((i for i, (a, b) in pairs if a != b), min(len(prev), len(cur)))
            evaluated += len(cur) - common
        ratios["sentence sent"].append(sent / own)
        ratios["sentence evaluated"].append(evaluated / own)
    for name, values in ratios.items():
        print(f"{name:<20} mean {statistics.fmean(values):6.2f}  median "
              f"{statistics.median(values):6.2f}  max {max(values):6.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
