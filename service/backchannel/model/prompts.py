"""Load the prompt files and render the messages for one article.

Prompts are files under `prompts/` so they can be reviewed and diffed like code; `version` hashes
them together with the draft schema, so any change to what the model sees changes the cache key
and is visible in every result's `prompt_version`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from backchannel.model.draft import Draft, LeanAnswer, SentenceAnswer, SentenceMeetings
from backchannel.text.sentences import Sentence

# The answer shapes of the `sentence` strategy's questions.
SentenceSchema = type[SentenceAnswer] | type[SentenceMeetings] | type[LeanAnswer]

DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parents[3] / "prompts"
_FILES = ("system.md", "guidelines.md", "examples.json")


@dataclass(frozen=True)
class PromptSet:
    system: str
    guidelines: str
    examples: tuple[dict[str, Any], ...]
    version: str

    def messages(self, window: Sequence[Sentence], published_at: dt.date | None) -> list[dict]:
        """System + guidelines, the few-shot pairs, then the article (or one window of it) as
        numbered sentences."""
        out: list[dict] = [{"role": "system", "content": f"{self.system}\n\n{self.guidelines}"}]
        for ex in self.examples:
            lines, date = _example_article(ex)
            out.append({"role": "user", "content": _article_block(_numbered(lines), date)})
            out.append({"role": "assistant", "content": json.dumps(ex["answer"])})
        out.append({"role": "user", "content": _article_block(window, published_at)})
        return out


def _numbered(lines: Sequence[str]) -> list[tuple[int, str]]:
    return list(enumerate(lines, 1))


def _article_block(
    window: Sequence[Sentence] | Sequence[tuple[int, str]],
    published_at: dt.date | None,
    ask: str = "List the meetings as JSON.",
) -> str:
    """The article as "[n] sentence" lines, n the sentence's number in the whole article; a gap
    in the numbers (a window of a long article) is shown as "[...]"."""
    date = f"{published_at.isoformat()} ({published_at:%A})" if published_at else "unknown"
    lines, previous = [], 0
    for item in window:
        number, text = (item.number, item.text) if isinstance(item, Sentence) else item
        if number != previous + 1:
            lines.append("[...]")
        lines.append(f"[{number}] {text}")
        previous = number
    numbered = "\n".join(lines)
    return f"Publication date: {date}\nArticle:\n{numbered}\n\n{ask}"


@dataclass(frozen=True)
class SentencePromptSet:
    """Prompts for the per-sentence strategy: one short question per candidate sentence.

    Messages are laid out so that everything up to the article is the same for every question
    about one article (and everything up to the article the same for all articles): a server that
    reuses its cached prompt prefix (llama.cpp does) only evaluates the question itself.
    """

    system: str
    guidelines: str
    examples: tuple[dict[str, Any], ...]
    version: str
    answer: SentenceSchema = SentenceAnswer

    def messages(
        self, window: Sequence[Sentence], published_at: dt.date | None, asked: Sentence
    ) -> list[dict]:
        """The question about sentence `asked`, shown within `window` (the whole article, or a
        window of a long one that contains it)."""
        out: list[dict] = [{"role": "system", "content": f"{self.system}\n\n{self.guidelines}"}]
        for ex in self.examples:
            lines, date = _example_article(ex)
            for q in ex["questions"]:
                question = self._question(lines[q["sentence"] - 1], q["sentence"])
                block = _article_block(_numbered(lines), date, question)
                out.append({"role": "user", "content": block})
                reply = self.answer.reply(q["answer"])
                out.append({"role": "assistant", "content": json.dumps(reply)})
        question = self._question(asked.text, asked.number)
        out.append({"role": "user", "content": _article_block(window, published_at, question)})
        return out

    def _question(self, sentence: str, number: int) -> str:
        return f'Question about sentence [{number}]: "{sentence}"\n{self.answer.question}'


def _example_article(ex: dict[str, Any]) -> tuple[list[str], dt.date | None]:
    """A few-shot article as its sentence lines and publication date."""
    lines = [line for line in ex["article"].split("\n") if line.strip()]
    date = dt.date.fromisoformat(ex["published_at"]) if ex.get("published_at") else None
    return lines, date


# Each `sentence` variant: its version prefix, the folder of its own guidelines and examples,
# and its answer shape.
SENTENCE_ANSWERS: dict[str, tuple[str, str, SentenceSchema]] = {
    "one": ("s1", "sentence", SentenceAnswer),
    "list": ("s2", "sentence-list", SentenceMeetings),
    "lean": ("s3", "sentence-lean", LeanAnswer),
}


@cache
def load_sentence_prompts(
    directory: Path = DEFAULT_PROMPTS_DIR, answer: str = "one"
) -> SentencePromptSet:
    prefix, folder, schema = SENTENCE_ANSWERS[answer]
    sub = directory / folder
    system = (directory / "system.md").read_text(encoding="utf-8").strip()
    guidelines = (sub / "guidelines.md").read_text(encoding="utf-8").strip()
    examples = json.loads((sub / "examples.json").read_text(encoding="utf-8"))
    for ex in examples:
        for q in ex["questions"]:
            schema.model_validate(schema.reply(q["answer"]))
    # The question's wording is code, not a file, and is part of what the model sees.
    version = _version(prefix, system, f"{guidelines}\n{schema.question}", examples, schema)
    return SentencePromptSet(system, guidelines, tuple(examples), version, schema)


@cache
def load_prompts(directory: Path = DEFAULT_PROMPTS_DIR) -> PromptSet:
    """Read and validate the prompt files once per directory."""
    missing = [name for name in _FILES if not (directory / name).is_file()]
    if missing:
        raise FileNotFoundError(f"prompt files missing in {directory}: {', '.join(missing)}")
    system = (directory / "system.md").read_text(encoding="utf-8").strip()
    guidelines = (directory / "guidelines.md").read_text(encoding="utf-8").strip()
    examples = json.loads((directory / "examples.json").read_text(encoding="utf-8"))
    for ex in examples:
        Draft.model_validate(ex["answer"])  # a broken example would teach the wrong shape
    version = _version("p1", system, guidelines, examples, Draft)
    return PromptSet(system, guidelines, tuple(examples), version)


def _version(
    prefix: str, system: str, guidelines: str, examples: list, schema: type[BaseModel]
) -> str:
    """Hash of everything the model sees for a strategy: texts, examples and the answer schema."""
    digest = hashlib.sha256()
    for part in (system, guidelines, json.dumps(examples, sort_keys=True)):
        digest.update(part.encode("utf-8"))
    digest.update(json.dumps(schema.model_json_schema(), sort_keys=True).encode("utf-8"))
    return f"{prefix}-{digest.hexdigest()[:12]}"
