"""Every gold label in eval/articles is verbatim in its text with valid offsets, dates, enums."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from backchannel.contract.schema import Meeting

ARTICLES = sorted((Path(__file__).resolve().parent.parent / "eval" / "articles").glob("*.json"))
TAGS = set(
    """time:weekday_past time:weekday_future time:yesterday time:last_week time:this_week
    time:next_week time:last_month time:last_year time:year time:early time:mid time:late
    time:month_name time:month_year time:date time:recent time:event_last_week time:none
    time:no_published_at multi_meeting named unnamed former_official non_state track_1_5
    track_two planned cancelled video trap:denial trap:hope trap:hypothetical trap:phone_call
    trap:met_deadline trap:committee venue city country_only long short no_meeting seed""".split()
)
REQUIRED_COVERAGE = TAGS


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_set_size_and_coverage():
    assert len(ARTICLES) >= 40
    covered = set().union(*(set(load(p)["tags"]) for p in ARTICLES))
    assert covered >= REQUIRED_COVERAGE, REQUIRED_COVERAGE - covered
    assert any(load(p)["id"].startswith("seed") for p in ARTICLES)


@pytest.mark.parametrize("path", ARTICLES, ids=[p.stem for p in ARTICLES])
def test_article_labels_are_grounded(path):
    art = load(path)
    text = art["text"]
    assert art["id"] == path.stem
    if art["published_at"] is not None:
        dt.date.fromisoformat(art["published_at"])
    assert set(art["tags"]) <= TAGS, set(art["tags"]) - TAGS
    words = len(text.split())
    if "long" in art["tags"]:
        assert words > 1500
    if "short" in art["tags"]:
        assert words < 200
    if "no_meeting" in art["tags"]:
        assert art["meetings"] == []
    for gold in art["meetings"]:
        assert isinstance(gold.pop("required"), bool)
        assert isinstance(gold.pop("note"), str)
        m = Meeting.model_validate(gold)  # field names and enum values exactly as the contract
        assert text[m.evidence.start : m.evidence.end] == m.evidence.text
        quoted = [(p.mention, p.span) for p in m.participants]
        quoted += [(x.mention, x.span) for x in (m.location, m.time) if x is not None]
        for mention, (start, end) in quoted:
            assert text[start:end] == mention, (mention, start, end)
        if m.time and m.time.start and m.time.end:
            assert m.time.start <= m.time.end
