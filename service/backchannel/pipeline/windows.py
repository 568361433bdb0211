"""Articles of any length: windows of whole sentences that each fit the model's context.

An article that fits is one window, the whole article (its prompts are exactly as before). A
longer one is cut into overlapping windows of whole sentences, each led by the headline and lede
(the first `LEAD` sentences), where the date and the main actors usually are; sentence numbers
stay the article's own, so every answer points into the whole text. Only a single sentence that
cannot fit with the prompt around it is an error the caller must fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from backchannel.contract.errors import InputError
from backchannel.model.context import PER_MESSAGE_TOKENS, ContextWindow
from backchannel.text.sentences import Sentence

LEAD = 2  # the headline and the lede
OVERLAP = 1 / 3  # of a window's body, shared with the next window
SAFETY = 1.02  # counts per sentence add up to a little less than the rendered prompt's


@dataclass(frozen=True)
class Window:
    sentences: list[Sentence]
    first: int  # body: the sentence numbers this window was cut for (past the lead)
    last: int

    def center_distance(self, number: int) -> float:
        return abs(number - (self.first + self.last) / 2)


@dataclass(frozen=True)
class Budget:
    """Tokens a request may spend on the article: the context, less the fixed part of the prompt,
    the longest question and the reply's bound."""

    tokens: int
    per_sentence: list[int]  # the cost of each sentence's "[n] text" line, by number - 1


async def budget(
    context: ContextWindow,
    sentences: Sequence[Sentence],
    fixed_messages: list[dict],
    max_tokens: int,
) -> Budget:
    """`fixed_messages` is the prompt with an empty article (and, for per-sentence questions, the
    longest question asked with it).

    Byte-level tokenizers (Qwen's, Llama 3's, GPT's) never make more tokens than a text has
    UTF-8 bytes, so an article whose bytes fit needs no counting: the common case costs no
    request to the tokenizer.
    """
    texts = ["\n".join(m["content"] for m in fixed_messages)]
    texts += [f"[{s.number}] {s.text}" for s in sentences]
    size = await context.size()

    def room(counts: list[int]) -> Budget:
        fixed, *per_sentence = counts
        overhead = fixed + PER_MESSAGE_TOKENS * len(fixed_messages)
        available = int((size - max_tokens - overhead) / SAFETY)
        return Budget(available, [n + 1 for n in per_sentence])  # + the line break

    by_bytes = room([len(t.encode("utf-8")) for t in texts])
    if sum(by_bytes.per_sentence) <= by_bytes.tokens:
        return by_bytes
    return room(await context.count(texts))


def plan(sentences: Sequence[Sentence], budget: Budget) -> list[Window]:
    """Overlapping windows covering every sentence, each within the budget."""
    cost = budget.per_sentence
    if sum(cost) <= budget.tokens:
        return [Window(list(sentences), 1, len(sentences))] if sentences else []
    longest = max(range(len(sentences)), key=lambda i: cost[i])
    if cost[longest] > budget.tokens:
        s = sentences[longest]
        raise InputError(
            f"sentence {s.number} (characters {s.start}-{s.end}) is {cost[longest]:,} tokens; "
            f"with the prompt around it the model's context leaves {budget.tokens:,}: split it"
        )
    lead = list(sentences[:LEAD])
    lead_cost = sum(cost[:LEAD])
    if lead_cost + cost[longest] > budget.tokens:
        lead, lead_cost = [], 0  # a huge headline or lede: windows without it
    windows: list[Window] = []
    start = len(lead)
    while start < len(sentences):
        end, spent = start, lead_cost
        while end < len(sentences) and spent + cost[end] <= budget.tokens:
            spent += cost[end]
            end += 1
        body = list(sentences[start:end])
        windows.append(Window(lead + body, body[0].number, body[-1].number))
        if end == len(sentences):
            break
        start = max(start + 1, end - int((end - start) * OVERLAP))
    if lead and windows and not any(w.first == 1 for w in windows):
        # The lead's own sentences are shown in every window; ask about them in the first.
        first = windows[0]
        windows[0] = Window(first.sentences, 1, first.last)
    return windows


def window_for(windows: Sequence[Window], number: int) -> int:
    """The index of the window that holds sentence `number` with the most context around it."""
    holding = [i for i, w in enumerate(windows) if w.first <= number <= w.last]
    return min(holding, key=lambda i: windows[i].center_distance(number))
