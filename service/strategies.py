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
import re
from typing import Protocol

from service.draft import Draft, SentenceAnswer
from service.llm import CallStats, LLMClient
from service.prompts import PromptSet, SentencePromptSet
from service.sentences import Sentence

# Words that report (or deny, or hope for) a meeting; the model decides which it is.
_TRIGGER = re.compile(
    r"\b(?:met|meet(?:s|ing|ings)?|talks?|summit(?:s|ry)?|encounters?|discussions?|discussed|"
    r"negotiat\w*|dialog(?:ue)?s?|round|sat\s+down|host(?:s|ed|ing)?|gathering|"
    r"consultations?|conferred|huddled|parley|track\s+(?:two|2|1\.5|one)|side\s+channel|"
    r"back\s*channel|mediat\w*|visit(?:s|ed|ing)?|sessions?|convened?)\b",
    re.IGNORECASE,
)


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
