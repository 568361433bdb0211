"""What each field of the model's answer costs in generated tokens (issue 17, "generate less").

    .venv/bin/python bench/answer_fields.py

Reads the model's answers kept in the result cache (the drafts of earlier runs), keeps those of
dev articles only (every quoted mention found in a dev article and in no test article), rewrites
each meeting as the compact JSON the json_schema grammar makes the model write, and counts tokens
with the embedded model's own tokenizer (vocab only, no weights). Says, per field, its share of
the answer and what its key alone costs; and what a "no" costs. Quality per field is measured by
eval runs on dev, not here.
"""

from __future__ import annotations

import collections
import json

import diskcache
from backchannel.embedded.model_files import VARIANTS, model_path
from backchannel.evaluation.gold import load_set
from backchannel.model.draft import Draft
from backchannel.settings import Settings
from common import ROOT


def _compact(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def main() -> None:
    from llama_cpp import Llama

    llm = Llama(model_path=str(model_path(Settings().model_dir, VARIANTS["1.5b"])),
                vocab_only=True, verbose=False)  # fmt: skip

    def tokens(text: str) -> int:
        return len(llm.tokenize(text.encode(), add_bos=False, special=False))

    dev = [a.text for a in load_set(ROOT / "eval" / "dev")]
    test = [a.text for a in load_set(ROOT / "eval" / "test")]
    cache = diskcache.Cache(str(Settings().cache_dir))
    cost: collections.Counter[str] = collections.Counter()
    keys: collections.Counter[str] = collections.Counter()
    meetings = drafts = answer_tokens = 0
    for key in cache.iterkeys():
        if not str(key).startswith("draft:"):
            continue
        try:
            draft = Draft.model_validate(json.loads(cache.get(key))["draft"])
        except (ValueError, KeyError, TypeError):
            continue
        mentions = [p.mention for m in draft.meetings for p in m.participants]
        if not mentions or any(all(x in t for x in mentions) for t in test):
            continue
        if not any(all(x in t for x in mentions) for t in dev):
            continue
        drafts += 1
        for m in draft.meetings:
            meetings += 1
            one = m.model_dump(mode="json", exclude={"sentence"})
            answer_tokens += tokens(_compact({"meetings": [one]}))
            for name, value in one.items():
                cost[name] += tokens(_compact({name: value})[1:-1])
                keys[name] += tokens(_compact(name) + ":")
                for p in value if name == "participants" else []:
                    for sub, v in p.items():
                        cost[f"participants.{sub}"] += tokens(_compact({sub: v})[1:-1])
                        keys[f"participants.{sub}"] += tokens(_compact(sub) + ":")
    per_meeting = answer_tokens / max(meetings, 1)
    print(f"{drafts} cached answers of dev articles, {meetings} meetings, "
          f"{per_meeting:.1f} tokens per meeting as a one-meeting answer")  # fmt: skip
    print(f"{'field':28}{'tokens/meeting':>15}{'share':>8}{'of it, key':>12}")
    for name, n in cost.most_common():
        print(f"{name:28}{n / meetings:15.1f}{n / answer_tokens:8.1%}{keys[name] / meetings:12.1f}")
    print(f"a 'no' ({_compact({'meetings': []})}): {tokens(_compact({'meetings': []}))} tokens")


if __name__ == "__main__":
    main()
