"""How the model's work on one article is split into calls; each strategy returns one `Draft`.

- `single`: one call lists every meeting (the baseline).
- `sentence`: code picks candidate sentences (meeting words), then one short constrained call per
  candidate asks only "does this sentence report a meeting, and with whom, where, when?", with the
  article as a shared prompt prefix the server can cache. A narrow question suits a small model
  better than enumerating a whole article, and a "no" costs a handful of tokens; the eval
  (eval/results/) says which strategy wins.

Both see the article through `windows`: the whole article when it fits the model's context, else
overlapping windows of it led by the headline and lede.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from backchannel import lexicon
from backchannel.contract.errors import AnswerUnusable
from backchannel.model.draft import Draft
from backchannel.model.llm import CallStats, LLMClient
from backchannel.model.prompts import PromptSet, SentencePromptSet
from backchannel.pipeline.windows import budget, plan, window_for
from backchannel.text.sentences import Sentence

_TRIGGER = lexicon.regex("meetings", "trigger")


def candidate_sentences(sentences: list[Sentence]) -> list[Sentence]:
    """Sentences that may report a meeting: cheap, generous, and the model verifies each."""
    return [s for s in sentences if _TRIGGER.search(s.text)]


_SEVERAL = lexicon.regex("meetings", "several")


def several_meetings_likely(text: str) -> bool:
    """Whether a sentence's words suggest it reports more than one meeting ("met X in Belgrade
    and then Y in Pristina"), or three meeting words or more: the sentences a one-meeting answer
    cannot cover."""
    return bool(_SEVERAL.search(text)) or len(_TRIGGER.findall(text)) >= 3


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
        """One call per window (one for an article that fits); the windows' meetings together,
        repeats left to the assembly, which merges them."""
        fixed = self.prompts.messages([], published_at)
        room = await budget(llm.context, sentences, fixed, llm.max_tokens)
        total, meetings = CallStats(), []
        for window in plan(sentences, room):
            draft, stats = await llm.extract(
                self.prompts.messages(window.sentences, published_at), Draft
            )
            total.merge(stats)
            meetings += draft.meetings
        return Draft(meetings=meetings), total


class SentenceStrategy:
    name = "sentence"

    def __init__(self, prompts: SentencePromptSet) -> None:
        self.prompts = prompts
        self.version = prompts.version

    async def draft(
        self, llm: LLMClient, sentences: list[Sentence], published_at: dt.date | None
    ) -> tuple[Draft, CallStats]:
        """One question per candidate sentence, asked within the window that holds it best.

        Sequential on purpose, window by window: consecutive questions about one window share
        its prompt prefix in the server's cache, so only the question is evaluated again.
        """
        candidates = candidate_sentences(sentences)
        total, meetings = CallStats(), []
        if not candidates:
            return Draft(meetings=meetings), total
        longest = max(candidates, key=lambda s: len(s.text))
        fixed = self.prompts.messages([], published_at, longest)
        windows = plan(sentences, await budget(llm.context, sentences, fixed, llm.max_tokens))
        asked = sorted((window_for(windows, s.number), s.number, s) for s in candidates)
        first_error: AnswerUnusable | None = None
        for index, _, s in asked:
            messages = self.prompts.messages(windows[index].sentences, published_at, s)
            try:
                answer, stats = await llm.extract(messages, self.prompts.answer)
            except AnswerUnusable as exc:
                # One runaway or invalid answer among a long article's hundreds of questions
                # must not cost the others; it is said in the result's warnings.
                first_error = first_error or exc
                total.merge(getattr(exc, "stats", CallStats()))
                total.unanswered.append(f"sentence {s.number} left unanswered: {exc.message}")
                continue
            total.merge(stats)
            meetings += answer.as_meetings(s.number)
        if first_error is not None and len(total.unanswered) == len(asked):
            raise first_error  # no answer at all: the model or its server is the problem
        return Draft(meetings=meetings), total
