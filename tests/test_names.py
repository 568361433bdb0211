"""Proper names from the article's words: the name in a mention, the fullest form of a short one,
and the title and country where the article introduces the person."""

from __future__ import annotations

import asyncio

import pytest
from backchannel.contract.schema import ExtractRequest
from backchannel.normalise.names import People, name_in_mention
from backchannel.pipeline.extractor import Extractor

from tests.factories import draft_meeting, draft_person
from tests.fakeserver import Reply
from tests.test_windows import CONTEXT, HEADLINE

TEXT = (
    "Nile talks resume\n"
    "CAIRO (Wire) - Egyptian Irrigation Minister Tarek Soliman met Ethiopia's water minister, "
    "Abebe Tesfaye, in Cairo on Monday. Egypt's Foreign Minister Sameh Shoukry joined them.\n"
    "Soliman said the talks were useful. Tesfaye disagreed. The Karen National Union was not "
    "there, nor was EU Special Representative for North Korea Daniel Whitcombe.\n"
    "Johanna Lindqvist and Tomas Lindqvist were there. Lindqvist spoke."
)


@pytest.mark.parametrize(
    ("mention", "name"),
    [
        ("Mossad deputy director Eitan Brill", "Eitan Brill"),
        ("U.S. President Donald Trump", "Donald Trump"),
        ("President Macron", "Macron"),
        ("Vice President JD Vance", "JD Vance"),
        ("Crown Prince Mohammed bin Salman", "Mohammed bin Salman"),
        ("European Commission President Ursula von der Leyen", "Ursula von der Leyen"),
        ("President Abdel Fattah al-Sisi", "Abdel Fattah al-Sisi"),
        ("The emir, Sheikh Tamim bin Hamad Al Thani", "Sheikh Tamim bin Hamad Al Thani"),
        ("King Philippe", "King Philippe"),
        # No title before the capitals: they may as well name a body.
        ("European Union", None),
        ("Unitary Platform", None),
        ("Israeli negotiators", None),
        ("Lavrov", None),
        ("the minister", None),
        # A title's own capitals are not a name.
        ("Qatar\u2019s Minister of State for Foreign Affairs", None),
    ],
)
def test_the_name_a_mention_ends_with_after_a_title(mention, name):
    assert name_in_mention(mention) == name


def test_a_short_name_becomes_the_fullest_the_article_gives():
    people = People(TEXT)
    at = TEXT.index("Soliman said")
    assert people.fullest("Soliman", at) == "Tarek Soliman"
    assert people.fullest("Tarek Soliman", at) == "Tarek Soliman"
    assert people.fullest("Tesfaye", at) == "Abebe Tesfaye"
    # Two people share the surname: the short name stands.
    assert people.fullest("Lindqvist", TEXT.index("Lindqvist spoke")) == "Lindqvist"
    assert people.fullest("Nobody", at) == "Nobody"


def test_the_introduction_gives_title_and_country():
    people = People(TEXT)
    at = TEXT.index("Soliman said")
    intro = people.introduction("Tarek Soliman", at)
    assert intro is not None and (intro.role, intro.affiliation) == ("Irrigation Minister", "Egypt")
    shoukry = people.introduction("Sameh Shoukry", at)
    assert shoukry is not None and (shoukry.role, shoukry.affiliation) == (
        "Foreign Minister",
        "Egypt",
    )
    tesfaye = people.introduction("Abebe Tesfaye", at)  # an apposition after the title
    assert tesfaye is not None and tesfaye.role == "minister"
    assert people.introduction("Johanna Lindqvist", at) is None  # no title written


def test_bodies_datelines_headlines_and_countries_are_not_people():
    people = People(TEXT)
    everything = len(TEXT)
    assert people.fullest("Union", everything) == "Union"  # "Karen National Union"
    assert people.fullest("Cairo", everything) == "Cairo"  # "CAIRO (Wire)"
    assert people.fullest("Nile", everything) == "Nile"  # a headline's capitals
    # A country in front of a name is a title's end, not the first name.
    assert people.fullest("Whitcombe", everything) == "Daniel Whitcombe"


def test_name_for_a_mention_reads_the_article_around_it():
    people = People(TEXT)

    def name(mention: str, occurrence: int = 0, given: str | None = None) -> str | None:
        start = -1
        for _ in range(occurrence + 1):
            start = TEXT.index(mention, start + 1)
        return people.name_for(start, start + len(mention), given)

    assert name("Egyptian Irrigation Minister Tarek Soliman") == "Tarek Soliman"
    assert name("Ethiopia's water minister") == "Abebe Tesfaye"  # apposition after the mention
    assert name("Soliman", 1) == "Tarek Soliman"
    assert name("Tesfaye", 1, given="Tesfaye") == "Abebe Tesfaye"
    assert name("The Karen National Union") is None
    assert name("Lindqvist", 2) is None


def test_a_participant_introduced_in_the_lede_is_named_in_a_later_window(settings, fake_model):
    """The lede introduces the minister; a window far down the article says only "Soliman"; the
    result names him in full, with the lede's title and country."""
    lede = "CAIRO (Wire) - Egyptian Irrigation Minister Tarek Soliman is pressing for a deal."
    lines = [HEADLINE, lede]
    while sum(len(x) + 1 for x in lines) < 30_000:
        lines.append(f"Paragraph {len(lines)} describes the river valley, its farms and roads.")
    lines.append("On Friday Soliman met envoy Arno Vale in Geneva.")
    text = "\n".join(lines)
    last = len(lines)
    meeting = draft_meeting(last, [draft_person("Soliman"), draft_person("envoy Arno Vale")],
                            location="Geneva")  # fmt: skip

    def answer(payload: dict) -> Reply:
        asked = f"[{last}] " in payload["messages"][-1]["content"]
        return Reply.meetings({"meetings": [meeting] if asked else []})

    fake_model.n_ctx = CONTEXT
    fake_model.default = answer
    settings = settings.model_copy(update={"strategy": "sentence"})
    result = asyncio.run(Extractor(settings).extract(ExtractRequest(text=text), use_cache=False))
    asked = [r["messages"][-1]["content"] for r in fake_model.requests]
    [window] = [a for a in asked if f"[{last}] " in a]
    assert "[3] " not in window  # a later window: only the headline and lede from the start
    [found] = result.meetings
    soliman, vale = found.participants
    assert (soliman.mention, soliman.name) == ("Soliman", "Tarek Soliman")
    assert (soliman.role, soliman.affiliation) == ("Irrigation Minister", "Egypt")
    assert text[soliman.span[0] : soliman.span[1]] == "Soliman"
    assert vale.name == "Arno Vale"
