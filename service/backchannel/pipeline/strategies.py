"""How the model's work on one article is split into calls; each strategy returns one `Draft`.

- `single`: one call lists every meeting (the baseline).
- `sentence`: code picks candidate sentences (meeting words), then one short constrained call per
  candidate asks only "does this sentence report a meeting, and with whom, where, when?", with the
  whole article as a shared prompt prefix the server can cache. A narrow question suits a small
  model better than enumerating a whole article, and a "no" costs a handful of tokens; the eval
  (eval/results/) says which strategy wins.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from backchannel import lexicon
from backchannel.model.draft import Draft, SentenceAnswer
from backchannel.model.llm import CallStats, LLMClient
from backchannel.model.prompts import PromptSet, SentencePromptSet
from backchannel.text.sentences import Sentence

_TRIGGER = lexicon.regex("meetings", "trigger")


def candidate_sentences(sentences: list[Sentence]) -> list[Sentence]:
    """Sentences that may report a meeting: cheap, generous, and the model verifies each."""
    return [s for s in sentences if _TRIGGER.search(s.text)]


class Strategy(Protocol):
    name: str
    version: str

    async def draft(
        self, llm: LLMClient, sentences: list[Sentence], published_at: dt.date | None
    ) -> tuple[Draft, CallStats]: ...


class SingleStrategy:
    name = "single"

    def __init__(self, prompts: PromptSet) -> None:
        self.prompts = prompts
        self.version = prompts.version

    async def draft(
        self, llm: LLMClient, sentences: list[Sentence], published_at: dt.date | None
    ) -> tuple[Draft, CallStats]:
        return await llm.extract(self.prompts.messages(sentences, published_at), Draft)


class SentenceStrategy:
    name = "sentence"

    def __init__(self, prompts: SentencePromptSet) -> None:
        self.prompts = prompts
        self.version = prompts.version

    async def draft(
        self, llm: LLMClient, sentences: list[Sentence], published_at: dt.date | None
    ) -> tuple[Draft, CallStats]:
        # Sequential on purpose: consecutive calls share the article prefix in the server's cache.
        total = CallStats()
        meetings = []
        for s in candidate_sentences(sentences):
            messages = self.prompts.messages(sentences, published_at, s.number)
            answer, stats = await llm.extract(messages, SentenceAnswer)
            total.merge(stats)
            meeting = answer.as_meeting(s.number)
            if meeting is not None:
                meetings.append(meeting)
        return Draft(meetings=meetings), total
