"""Proper names from the article's words: the name in a mention, the fullest form of a short one,
and the title and country where the article introduces the person."""

from __future__ import annotations

import asyncio

import pytest
from backchannel.contract.schema import ExtractRequest
from backchannel.normalise.names import Name, People, name_in_mention
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
        ("U.S. Secretary of State Antony Blinken", "Antony Blinken"),
        ("Minister of State for Foreign Affairs Mohammed Al-Khulaifi", "Mohammed Al-Khulaifi"),
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


def name_at(text: str, words: str, occurrence: int = 0) -> Name:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    return Name(words, start, start + len(words))


def test_a_short_name_becomes_the_fullest_the_article_gives():
    people = People(TEXT)

    def fullest(words: str, occurrence: int = 0) -> str:
        name = people.fullest(name_at(TEXT, words, occurrence), TEXT.index(words))
        assert TEXT[name.start : name.end] == name.text
        return name.text

    assert fullest("Soliman", 1) == "Tarek Soliman"
    assert fullest("Tarek Soliman") == "Tarek Soliman"
    assert fullest("Tesfaye", 1) == "Abebe Tesfaye"
    # Two people share the surname: the short name stands.
    assert fullest("Lindqvist", 2) == "Lindqvist"


def test_the_introduction_gives_title_and_country():
    people = People(TEXT)
    at = TEXT.index("Soliman said")

    def intro(name: str) -> tuple[str | None, str | None] | None:
        found = people.introduction(name_at(TEXT, name), at)
        return (found.role, found.affiliation) if found else None

    assert intro("Tarek Soliman") == ("Irrigation Minister", "Egypt")
    assert intro("Sameh Shoukry") == ("Foreign Minister", "Egypt")
    assert intro("Abebe Tesfaye") == ("minister", None)  # an apposition after the title
    assert intro("Johanna Lindqvist") is None  # no title written


def test_bodies_datelines_headlines_and_countries_are_not_people():
    people = People(TEXT)

    def fullest(words: str) -> str:
        return people.fullest(name_at(TEXT, words), len(TEXT)).text

    assert fullest("Union") == "Union"  # "Karen National Union"
    assert fullest("CAIRO") == "CAIRO"  # "CAIRO (Wire)"
    assert fullest("Nile") == "Nile"  # a headline's capitals
    # A country in front of a name is a title's end, not the first name.
    assert fullest("Whitcombe") == "Daniel Whitcombe"


def test_name_for_a_mention_reads_the_article_around_it():
    people = People(TEXT)

    def name(mention: str, occurrence: int = 0, given: str | None = None) -> str | None:
        at = name_at(TEXT, mention, occurrence)
        said = name_at(TEXT, given, occurrence) if given else None
        found = people.name_for(at.start, at.end, said)
        if found is not None:
            assert TEXT[found.start : found.end] == found.text  # grounded where it stands
        return found.text if found else None

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
    assert soliman.name_span is not None and soliman.name_span[1] < len(lede) + len(HEADLINE) + 2
    assert text[soliman.name_span[0] : soliman.name_span[1]] == "Tarek Soliman"  # in the lede
    assert (soliman.role, soliman.affiliation) == ("Irrigation Minister", "Egypt")
    assert text[soliman.span[0] : soliman.span[1]] == "Soliman"
    assert vale.name == "Arno Vale"


def test_a_name_right_after_a_one_person_title_is_that_persons():
    text = (
        "Qatar's Minister of State for Foreign Affairs, Khalid al-Mansouri, met Azerbaijani "
        "Deputy Energy Minister Elchin Huseynli and Saudi Brigadier General Fahad al-Otaibi. "
        "The two foreign ministers, Sameh Shoukry and Dawit Haile, were not there."
    )
    people = People(text)

    def name(mention: str) -> str | None:
        start = text.index(mention)
        found = people.name_for(start, start + len(mention), None)
        return found.text if found else None

    assert name("Qatar's Minister of State for Foreign Affairs") == "Khalid al-Mansouri"
    assert name("Azerbaijani Deputy Energy Minister") == "Elchin Huseynli"
    assert name("Saudi Brigadier General Fahad al-Otaibi") == "Fahad al-Otaibi"
    # A plural title names several people: the name after it is one of them, not the group's.
    assert name("The two foreign ministers") is None
