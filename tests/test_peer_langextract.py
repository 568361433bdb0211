"""The LangExtract peer's converter: its extractions become contract results the scorer accepts."""

from __future__ import annotations

import datetime as dt
import importlib.util

from tests.factories import ROOT

_spec = importlib.util.spec_from_file_location(
    "langextract_convert", ROOT / "eval" / "peers" / "langextract_convert.py"
)
assert _spec and _spec.loader
convert_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(convert_mod)


def _x(cls: str, text: str, article: str, **attrs: str) -> dict:
    start = article.find(text)
    return {"class": cls, "text": text, "start": start if start >= 0 else None,
            "end": start + len(text) if start >= 0 else None, "attributes": attrs}  # fmt: skip


def test_convert_links_by_meeting_id_keeps_langextract_spans_and_drops_unaligned(seed_text):
    raw = {"id": "seed", "extractions": [
        _x("participant", "top US officials", seed_text, meeting="1", affiliation="US",
           capacity="official"),
        _x("participant", "Russian Foreign Minister Sergei Lavrov", seed_text, meeting="1",
           name="Sergei Lavrov", affiliation="Russia", capacity="Official"),
        _x("participant", "the Emperor of Mars", seed_text, meeting="1"),  # not in the text
        _x("meeting", "talks", seed_text, id="1", status="held", track="official"),
        _x("location", "Saudi Arabia", seed_text, meeting="1"),
        _x("time", "On Tuesday", seed_text, meeting="1"),
        _x("participant", "Donald Trump", seed_text, meeting="2", capacity="made-up"),
    ]}  # fmt: skip
    meetings, dropped = convert_mod.convert(raw, seed_text, dt.date(2025, 2, 20))
    assert dropped == 1
    first = meetings[0]
    assert [p.mention for p in first.participants] == [
        "top US officials",
        "Russian Foreign Minister Sergei Lavrov",
    ]
    assert first.participants[0].affiliation == "United States"
    assert first.participants[1].capacity == "official"  # case folded onto the enum
    assert first.location and first.location.country == "Saudi Arabia"
    assert first.time and first.time.start == dt.date(2025, 2, 18)
    assert first.status == "held" and first.track == "official"
    ev = first.evidence
    assert seed_text[ev.start : ev.end] == ev.text and "talks" in ev.text
    for p in first.participants:
        assert seed_text[p.span[0] : p.span[1]] == p.mention
    # A meeting with no head still stands on its grounded participant; a bad enum is unknown.
    assert meetings[1].participants[0].capacity == "unknown"


def test_convert_drops_a_meeting_with_nothing_in_the_text(seed_text):
    raw = {"extractions": [_x("meeting", "a summit on the Moon", seed_text, id="1")]}
    assert convert_mod.convert(raw, seed_text, None) == ([], 1)
