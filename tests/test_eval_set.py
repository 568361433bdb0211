"""Every gold label of both splits is verbatim in its text, with valid offsets, dates, enums, tags;
and each split has what the eval needs: size, real lengths, hard cases, shared events."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from pathlib import Path

import pytest
from backchannel.evaluation.gold import GoldArticle

from tests.factories import ROOT

EVAL = ROOT / "eval"
SPLITS = {name: sorted((EVAL / name).glob("*.json")) for name in ("dev", "test")}
FILES = [(name, path) for name, paths in SPLITS.items() for path in paths]
# The 40 articles of the first eval set (now in dev) predate event ids and meeting tags.
LEGACY = re.compile(r"^(?:[abc]\d\d|seed)-")


def _vocabulary(section: str) -> set[str]:
    """The tags eval/LABELLING.md lists under a heading: the guide is the one list."""
    guide = (EVAL / "LABELLING.md").read_text(encoding="utf-8")
    body = guide.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([a-z0-9_:]+)`", body))


ARTICLE_TAGS = _vocabulary("Article tags")
MEETING_TAGS = _vocabulary("Meeting tags")


def load(path: Path) -> GoldArticle:
    return GoldArticle.model_validate_json(path.read_text(encoding="utf-8"))


def test_the_guide_lists_the_tags():
    assert {"time:weekday_past", "noise:mojibake", "form:transcript"} <= ARTICLE_TAGS
    assert {"pronoun", "sides_elsewhere", "kind:business", "no_trigger"} <= MEETING_TAGS


@pytest.mark.parametrize(("split", "path"), FILES, ids=[f"{s}/{p.stem}" for s, p in FILES])
def test_article_labels_are_grounded(split, path):
    art = load(path)  # field names and enum values exactly as the contract, nothing unknown
    text = art.text
    assert art.id == path.stem
    assert set(art.tags) <= ARTICLE_TAGS, set(art.tags) - ARTICLE_TAGS
    words = len(text.split())
    if "long" in art.tags:
        assert words > 1500
    if "short" in art.tags:
        assert words < 200
    if "no_meeting" in art.tags:
        assert art.meetings == []
    new = split == "test" or not LEGACY.match(art.id)
    events = [m.event_id for m in art.meetings]
    if new:
        assert all(events), "every gold meeting of a new article has an event_id"
        assert len(events) == len(set(events)), "an event is labelled once per article"
    for m in art.meetings:
        assert text[m.evidence.start : m.evidence.end] == m.evidence.text
        for value, start, end in m.quoted():
            assert text[start:end] == value, (value, start, end)
        if m.time and m.time.start and m.time.end:
            assert m.time.start <= m.time.end
        assert set(m.tags) <= MEETING_TAGS, set(m.tags) - MEETING_TAGS
        for p in m.participants:
            for value in (p.name, p.affiliation, p.role):
                assert value is None or (value.strip() and value.lower() != "unknown")


@pytest.mark.parametrize("split", SPLITS)
def test_split_has_real_lengths_and_enough_articles(split):
    arts = [load(p) for p in SPLITS[split]]
    lengths = [len(a.text) for a in arts]
    assert len(arts) >= 60
    assert statistics.median(lengths) >= 3000
    assert sum(n > 10_000 for n in lengths) >= 0.1 * len(arts)
    assert sum(n > 30_000 for n in lengths) >= 3


@pytest.mark.parametrize("split", SPLITS)
def test_split_covers_the_hard_cases(split):
    arts = [load(p) for p in SPLITS[split]]
    tags = Counter(t for a in arts for m in a.meetings for t in m.tags)
    hard = {"pronoun", "short_name", "multi_per_sentence", "sides_elsewhere", "embedded_clause",
            "planned", "cancelled", "sidelines", "host", "mediator", "passive", "video",
            "no_trigger", "headline"}  # fmt: skip
    assert hard <= set(tags), hard - set(tags)
    kinds = {t for t in tags if t.startswith("kind:")}
    assert {"kind:diplomacy", "kind:business", "kind:party", "kind:security"} <= kinds
    article_tags = {t for a in arts for t in a.tags}
    assert {"trap:denial", "trap:phone_call", "trap:hypothetical", "no_meeting"} <= article_tags
    assert {"noise:mojibake", "noise:dateline", "noise:headline"} <= article_tags
    optional = sum(not m.required for a in arts for m in a.meetings)
    assert optional > 0


@pytest.mark.parametrize("split", SPLITS)
def test_split_reports_events_from_several_articles(split):
    sources: dict[str, set[str]] = {}
    for path in SPLITS[split]:
        art = load(path)
        for m in art.meetings:
            if m.event_id:
                sources.setdefault(m.event_id, set()).add(art.id)
    shared = [e for e, ids in sources.items() if 2 <= len(ids) <= 4]
    assert len(shared) >= 10


def test_splits_share_no_article():
    # Events may recur (a test article may recall, as background, a summit a dev article
    # reports); the texts and their labels are separate.
    ids = {split: {p.stem for p in paths} for split, paths in SPLITS.items()}
    assert not ids["dev"] & ids["test"]
