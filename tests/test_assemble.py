"""Draft -> meetings: grounding drops what is not in the text, and says so."""

from __future__ import annotations

from service.assemble import assemble, resolve_place
from service.draft import Draft
from service.grounding import Article
from service.schema import Capacity, Track
from service.sentences import split_sentences
from tests.conftest import SEED_DATE, riyadh_draft, sentence_number


def build(text: str, draft: dict):
    sentences = split_sentences(text)
    return assemble(Draft.model_validate(draft), Article(text), sentences, SEED_DATE)


def meeting(sentence: int, participants: list[dict], **kw) -> dict:
    base = {"sentence": sentence, "participants": participants, "location": None, "time": None,
            "track": "unknown", "status": "held", "topic": None}  # fmt: skip
    return {**base, **kw}


def person(mention: str, **kw) -> dict:
    return {"mention": mention, "name": None, "affiliation": None, "role": None,
            "capacity": "official", **kw}  # fmt: skip


def test_seed_riyadh_meeting_is_fully_grounded(seed_text):
    out = build(seed_text, riyadh_draft(seed_text))
    assert out.warnings == [] and len(out.meetings) == 1
    m = out.meetings[0]
    for p in m.participants:
        assert seed_text[p.span[0] : p.span[1]] == p.mention
    assert [p.affiliation for p in m.participants] == ["United States", "Russia", "Russia"]
    assert (m.time.start.isoformat(), m.time.end.isoformat()) == ("2025-02-18", "2025-02-18")


def test_ungrounded_values_are_dropped_with_warnings(seed_text):
    n = sentence_number(seed_text, "On Tuesday")
    draft = {"meetings": [meeting(n, [
        person("Russian Foreign Minister Sergei Lavrov", name="Sergey V. Lavrov-Smith",
               role="Supreme Chancellor"),
        person("Chinese Premier Li Qiang"),
        person("top US officials"),
    ], location="Beijing, the capital", time="on the 12th of Never")]}  # fmt: skip
    out = build(seed_text, draft)
    [m] = out.meetings
    assert [p.mention for p in m.participants] == [
        "Russian Foreign Minister Sergei Lavrov",
        "top US officials",
    ]
    assert m.participants[0].name is None and m.participants[0].role is None
    assert m.location is None and m.time is None
    text = "\n".join(out.warnings)
    for value in ("Chinese Premier Li Qiang", "Sergey V. Lavrov-Smith", "Supreme Chancellor",
                  "Beijing, the capital", "on the 12th of Never"):  # fmt: skip
        assert value in text
    assert out.dropped == 5


def test_meeting_without_grounded_evidence_is_dropped(seed_text):
    draft = {"meetings": [
        meeting(999, [person("top US officials")]),
        meeting(1, [person("Martian envoys")], location="Olympus Mons"),
    ]}  # fmt: skip
    out = build(seed_text, draft)
    assert out.meetings == []
    assert "sentence 999 does not exist" in out.warnings[0]
    assert "nothing it names" in out.warnings[1]


def test_citation_of_an_unrelated_sentence_moves_to_the_right_one(seed_text):
    riyadh = sentence_number(seed_text, "On Tuesday")
    draft = {"meetings": [meeting(3, [person("Russian Foreign Minister Sergei Lavrov"),
                                      person("top US officials")],
                                  location="Saudi Arabia")]}  # fmt: skip
    out = build(seed_text, draft)
    [m] = out.meetings
    assert m.evidence.text.startswith("On Tuesday")
    assert f"moved from sentence 3 to {riyadh}" in out.warnings[0]


def test_repeated_meetings_are_merged(seed_text):
    n = sentence_number(seed_text, "On Tuesday")
    one = meeting(n, [person("top US officials"), person("Russian officials")],
                  location="Saudi Arabia")  # fmt: skip
    out = build(seed_text, {"meetings": [one, {**one, "sentence": n + 1}, one]})
    assert len(out.meetings) == 1
    assert sum("duplicate" in w for w in out.warnings) == 2


def test_fuzzy_mention_returns_article_words(seed_text):
    n = sentence_number(seed_text, "On Tuesday")
    out = build(
        seed_text,
        {
            "meetings": [
                meeting(
                    n,
                    [person("Russian foreign minister Sergey Lavrov"), person("top US officials")],
                )
            ]
        },  # fmt: skip
    )
    p = out.meetings[0].participants[0]
    assert p.mention == "Russian Foreign Minister Sergei Lavrov" and p.span == (1455, 1493)
    assert p.affiliation == "Russia"


def test_track_is_derived_from_capacities_when_unknown():
    text = "Retired diplomats from India and Pakistan met in Dubai last week, a participant said."
    draft = {"meetings": [meeting(1, [person("Retired diplomats from India and Pakistan")],
                                  track="unknown")]}  # fmt: skip
    m = build(text, draft).meetings[0]
    assert m.participants[0].capacity is Capacity.former_official
    assert m.track is Track.unofficial


def test_talks_the_sentence_calls_unofficial(seed_text):
    n = sentence_number(seed_text, "US and Russian")
    said_official = person("US and Russian participants", capacity="official")
    draft = {"meetings": [meeting(n, [said_official], track="official")]}
    m = build(seed_text, draft).meetings[0]
    assert m.participants[0].capacity is Capacity.unofficial
    assert m.track is Track.unofficial


def test_planned_meeting_resolves_forward():
    text = "Envoys from Egypt and Jordan will meet in Amman on Monday, officials said."
    draft = {"meetings": [meeting(1, [person("Envoys from Egypt and Jordan")], location="Amman",
                                  time="on Monday", status="planned")]}  # fmt: skip
    out = build(text, draft)
    t = out.meetings[0].time
    assert t.start.isoformat() == "2025-02-24" == t.end.isoformat()
    assert out.meetings[0].location.country == "Jordan"


def test_resolve_place():
    assert resolve_place("Geneva") == ("Geneva", "Switzerland")
    assert resolve_place("Saudi Arabia") == (None, "Saudi Arabia")
    assert resolve_place("Lancaster House in London") == ("Lancaster House", "United Kingdom")
    assert resolve_place("the Intercontinental hotel, Doha") == ("Intercontinental hotel", "Qatar")


def test_one_side_alone_is_not_a_meeting(seed_text):
    n = sentence_number(seed_text, "On Tuesday")
    out = build(seed_text, {"meetings": [meeting(n, [person("top US officials")])]})
    assert out.meetings == [] and "one side only" in out.warnings[0]
    several = sentence_number(seed_text, "US and Russian participants")
    out = build(
        seed_text, {"meetings": [meeting(several, [person("US and Russian participants")])]}
    )
    assert len(out.meetings) == 1


def test_a_sentence_that_refers_back_is_merged_into_the_meeting(seed_text):
    first = sentence_number(seed_text, "US and Russian participants")
    later = sentence_number(seed_text, "The sources described the talks")
    draft = {"meetings": [
        meeting(first, [person("US and Russian participants")], location="Switzerland"),
        meeting(later, [person("The sources"), person("US and Russian participants")]),
    ]}  # fmt: skip
    out = build(seed_text, draft)
    [m] = out.meetings
    assert m.evidence.text.startswith("US and Russian participants")
    assert [p.mention for p in m.participants] == ["US and Russian participants", "The sources"]
    assert any("refers back" in w for w in out.warnings)


def test_a_later_meeting_elsewhere_is_not_merged(seed_text):
    first = sentence_number(seed_text, "US and Russian participants")
    riyadh = riyadh_draft(seed_text)["meetings"][0]
    draft = {"meetings": [
        meeting(first, [person("US and Russian participants")], location="Switzerland"),
        riyadh,
    ]}  # fmt: skip
    assert len(build(seed_text, draft).meetings) == 2


def test_held_in_the_future_becomes_planned():
    text = "The two foreign ministers will meet in Cairo next week, the ministry said."
    draft = {"meetings": [meeting(1, [person("The two foreign ministers")], location="Cairo",
                                  time="next week", status="held")]}  # fmt: skip
    sentences = split_sentences(text)
    out = assemble(Draft.model_validate(draft), Article(text), sentences, SEED_DATE)
    [m] = out.meetings
    assert m.status == "planned" and m.time and m.time.start > SEED_DATE


def test_future_sentence_reported_as_held_is_planned_and_dated_forward():
    text = "Haile and Warsame will meet again in Ankara on Oct. 28 for a third round."
    draft = {"meetings": [meeting(1, [person("Haile"), person("Warsame")], location="Ankara",
                                  time="on Oct. 28", status="held")]}  # fmt: skip
    out = assemble(Draft.model_validate(draft), Article(text), split_sentences(text), SEED_DATE)
    [m] = out.meetings
    assert m.status == "planned" and m.time and m.time.start.isoformat() == "2025-10-28"


def test_general_comments_are_not_meetings():
    text = (
        "Oman has mediated several past exchanges between Tehran and Western governments. "
        "Such dialogues allow governments to test ideas. "
        "Iranian officials met Swedish diplomats in Oman on Saturday."
    )
    draft = {"meetings": [
        meeting(1, [person("Tehran"), person("Western governments")]),
        meeting(2, [person("governments"), person("Such dialogues")]),
        meeting(3, [person("Iranian officials"), person("Swedish diplomats")], location="Oman"),
    ]}  # fmt: skip
    out = assemble(Draft.model_validate(draft), Article(text), split_sentences(text), SEED_DATE)
    [m] = out.meetings
    assert m.evidence.text.startswith("Iranian officials")
    assert sum("in general" in w for w in out.warnings) == 2


def test_a_bare_country_beside_its_own_people_is_dropped():
    text = "On Wednesday, Ethiopian Foreign Minister Dawit Haile and Somalia's Ali Omar met."
    draft = {"meetings": [meeting(1, [
        person("Ethiopian Foreign Minister Dawit Haile", affiliation="Ethiopia"),
        person("Ethiopia", affiliation="Ethiopia"),
        person("Somalia's Ali Omar", affiliation="Somalia"),
    ])]}  # fmt: skip
    out = assemble(Draft.model_validate(draft), Article(text), split_sentences(text), SEED_DATE)
    assert [p.mention for p in out.meetings[0].participants] == [
        "Ethiopian Foreign Minister Dawit Haile",
        "Somalia's Ali Omar",
    ]
