"""Draft -> meetings: grounding drops what is not in the text, and says so."""

from __future__ import annotations

import pytest
from backchannel.contract.schema import Capacity, Track
from backchannel.model.draft import Draft
from backchannel.normalise.places import resolve_place
from backchannel.pipeline.assemble import assemble
from backchannel.text.grounding import Article
from backchannel.text.sentences import split_sentences

from tests.factories import SEED_DATE, draft_meeting, draft_person, riyadh_draft, sentence_number


def build(text: str, draft: dict):
    sentences = split_sentences(text)
    return assemble(Draft.model_validate(draft), Article(text), sentences, SEED_DATE)


def test_seed_riyadh_meeting_is_fully_grounded(seed_text):
    out = build(seed_text, riyadh_draft(seed_text))
    assert out.warnings == [] and len(out.meetings) == 1
    m = out.meetings[0]
    for p in m.participants:
        assert seed_text[p.span[0] : p.span[1]] == p.mention
    assert [p.affiliation for p in m.participants] == ["United States", "Russia", "Russia"]
    assert (m.time.start.isoformat(), m.time.end.isoformat()) == ("2025-02-18", "2025-02-18")


def test_placeholder_words_are_null_silently(seed_text):
    """ "unknown", "N/A": a small model's null. Not quotes to search for, so no warnings."""
    n = sentence_number(seed_text, "On Tuesday")
    draft = {"meetings": [draft_meeting(n, [
        draft_person("Russian Foreign Minister Sergei Lavrov", name="N/A", affiliation="unknown",
                     role="Unknown"),
        draft_person("top US officials", affiliation="none"),
        draft_person("unknown"),
    ], location="not specified", time="Unknown", topic="-")]}  # fmt: skip
    out = build(seed_text, draft)
    [m] = out.meetings
    assert out.warnings == [] and out.dropped == 0
    assert [p.mention for p in m.participants] == [
        "Russian Foreign Minister Sergei Lavrov",
        "top US officials",
    ]
    # Null slots are then read from the article's own words where it has them.
    assert [p.affiliation for p in m.participants] == ["Russia", "United States"]
    assert m.participants[0].name == "Sergei Lavrov"
    assert m.location is None and m.time is None and m.topic is None


def test_ungrounded_values_are_dropped_with_warnings(seed_text):
    n = sentence_number(seed_text, "On Tuesday")
    draft = {"meetings": [draft_meeting(n, [
        draft_person("Russian Foreign Minister Sergei Lavrov", name="Sergey V. Lavrov-Smith",
               role="Supreme Chancellor"),
        draft_person("Chinese Premier Li Qiang"),
        draft_person("top US officials"),
    ], location="Beijing, the capital", time="on the 12th of Never")]}  # fmt: skip
    out = build(seed_text, draft)
    [m] = out.meetings
    assert [p.mention for p in m.participants] == [
        "Russian Foreign Minister Sergei Lavrov",
        "top US officials",
    ]
    # The model's name and role are not the article's words; the article's own take their place.
    lavrov = m.participants[0]
    assert (lavrov.name, lavrov.role) == ("Sergei Lavrov", "Foreign Minister")
    assert m.location is None and m.time is None
    text = "\n".join(out.warnings)
    for value in ("Chinese Premier Li Qiang", "Sergey V. Lavrov-Smith", "Supreme Chancellor",
                  "Beijing, the capital", "on the 12th of Never"):  # fmt: skip
        assert value in text
    assert out.dropped == 5


def test_meeting_without_grounded_evidence_is_dropped(seed_text):
    draft = {"meetings": [
        draft_meeting(999, [draft_person("top US officials")]),
        draft_meeting(1, [draft_person("Martian envoys")], location="Olympus Mons"),
    ]}  # fmt: skip
    out = build(seed_text, draft)
    assert out.meetings == []
    assert "sentence 999 does not exist" in out.warnings[0]
    assert "nothing it names" in out.warnings[1]


def test_citation_of_an_unrelated_sentence_moves_to_the_right_one(seed_text):
    riyadh = sentence_number(seed_text, "On Tuesday")
    draft = {"meetings": [draft_meeting(3, [draft_person("Russian Foreign Minister Sergei Lavrov"),
                                      draft_person("top US officials")],
                                  location="Saudi Arabia")]}  # fmt: skip
    out = build(seed_text, draft)
    [m] = out.meetings
    assert m.evidence.text.startswith("On Tuesday")
    assert f"moved from sentence 3 to {riyadh}" in out.warnings[0]


def test_repeated_meetings_are_merged(seed_text):
    n = sentence_number(seed_text, "On Tuesday")
    one = draft_meeting(n, [draft_person("top US officials"), draft_person("Russian officials")],
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
                draft_meeting(
                    n,
                    [
                        draft_person("Russian foreign minister Sergey Lavrov"),
                        draft_person("top US officials"),
                    ],
                )
            ]
        },  # fmt: skip
    )
    p = out.meetings[0].participants[0]
    assert p.mention == "Russian Foreign Minister Sergei Lavrov" and p.span == (1455, 1493)
    assert p.affiliation == "Russia"


def test_track_is_derived_from_capacities_when_unknown():
    text = "Retired diplomats from India and Pakistan met in Dubai last week, a participant said."
    draft = {
        "meetings": [
            draft_meeting(
                1, [draft_person("Retired diplomats from India and Pakistan")], track="unknown"
            )
        ]
    }
    m = build(text, draft).meetings[0]
    assert m.participants[0].capacity is Capacity.former_official
    assert m.track is Track.unofficial


def test_talks_the_sentence_calls_unofficial(seed_text):
    n = sentence_number(seed_text, "US and Russian")
    said_official = draft_person("US and Russian participants", capacity="official")
    draft = {"meetings": [draft_meeting(n, [said_official], track="official")]}
    m = build(seed_text, draft).meetings[0]
    assert m.participants[0].capacity is Capacity.unofficial
    assert m.track is Track.unofficial


def test_planned_meeting_resolves_forward():
    text = "Envoys from Egypt and Jordan will meet in Amman on Monday, officials said."
    draft = {
        "meetings": [
            draft_meeting(
                1,
                [draft_person("Envoys from Egypt and Jordan")],
                location="Amman",
                time="on Monday",
                status="planned",
            )
        ]
    }
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
    out = build(seed_text, {"meetings": [draft_meeting(n, [draft_person("top US officials")])]})
    assert out.meetings == [] and "one side only" in out.warnings[0]
    several = sentence_number(seed_text, "US and Russian participants")
    out = build(
        seed_text,
        {"meetings": [draft_meeting(several, [draft_person("US and Russian participants")])]},
    )
    assert len(out.meetings) == 1


def test_a_sentence_that_refers_back_is_merged_into_the_meeting(seed_text):
    first = sentence_number(seed_text, "US and Russian participants")
    later = sentence_number(seed_text, "The sources described the talks")
    draft = {
        "meetings": [
            draft_meeting(
                first, [draft_person("US and Russian participants")], location="Switzerland"
            ),
            draft_meeting(
                later, [draft_person("The sources"), draft_person("US and Russian participants")]
            ),
        ]
    }
    out = build(seed_text, draft)
    [m] = out.meetings
    assert m.evidence.text.startswith("US and Russian participants")
    # The article's sources are dropped; the rest joins the meeting the sentence refers back to.
    assert [p.mention for p in m.participants] == ["US and Russian participants"]
    assert any("refers back" in w for w in out.warnings)
    assert any("'The sources' dropped: the article's sources" in w for w in out.warnings)


def test_a_later_meeting_elsewhere_is_not_merged(seed_text):
    first = sentence_number(seed_text, "US and Russian participants")
    riyadh = riyadh_draft(seed_text)["meetings"][0]
    draft = {"meetings": [
        draft_meeting(first, [draft_person("US and Russian participants")], location="Switzerland"),
        riyadh,
    ]}  # fmt: skip
    assert len(build(seed_text, draft).meetings) == 2


def test_held_in_the_future_becomes_planned():
    text = "The two foreign ministers will meet in Cairo next week, the ministry said."
    draft = {
        "meetings": [
            draft_meeting(
                1,
                [draft_person("The two foreign ministers")],
                location="Cairo",
                time="next week",
                status="held",
            )
        ]
    }
    sentences = split_sentences(text)
    out = assemble(Draft.model_validate(draft), Article(text), sentences, SEED_DATE)
    [m] = out.meetings
    assert m.status == "planned" and m.time and m.time.start > SEED_DATE


def test_future_sentence_reported_as_held_is_planned_and_dated_forward():
    text = "Haile and Warsame will meet again in Ankara on Oct. 28 for a third round."
    draft = {
        "meetings": [
            draft_meeting(
                1,
                [draft_person("Haile"), draft_person("Warsame")],
                location="Ankara",
                time="on Oct. 28",
                status="held",
            )
        ]
    }
    out = assemble(Draft.model_validate(draft), Article(text), split_sentences(text), SEED_DATE)
    [m] = out.meetings
    assert m.status == "planned" and m.time and m.time.start.isoformat() == "2025-10-28"


def test_general_comments_are_not_meetings():
    text = (
        "Oman has mediated several past exchanges between Tehran and Western governments. "
        "Such dialogues allow governments to test ideas. "
        "Iranian officials met Swedish diplomats in Oman on Saturday."
    )
    draft = {
        "meetings": [
            draft_meeting(1, [draft_person("Tehran"), draft_person("Western governments")]),
            draft_meeting(2, [draft_person("governments"), draft_person("Such dialogues")]),
            draft_meeting(
                3,
                [draft_person("Iranian officials"), draft_person("Swedish diplomats")],
                location="Oman",
            ),
        ]
    }
    out = assemble(Draft.model_validate(draft), Article(text), split_sentences(text), SEED_DATE)
    [m] = out.meetings
    assert m.evidence.text.startswith("Iranian officials")
    assert sum("in general" in w for w in out.warnings) == 2


def test_a_bare_country_beside_its_own_people_is_dropped():
    text = "On Wednesday, Ethiopian Foreign Minister Dawit Haile and Somalia's Ali Omar met."
    draft = {"meetings": [draft_meeting(1, [
        draft_person("Ethiopian Foreign Minister Dawit Haile", affiliation="Ethiopia"),
        draft_person("Ethiopia", affiliation="Ethiopia"),
        draft_person("Somalia's Ali Omar", affiliation="Somalia"),
    ])]}  # fmt: skip
    out = assemble(Draft.model_validate(draft), Article(text), split_sentences(text), SEED_DATE)
    assert [p.mention for p in out.meetings[0].participants] == [
        "Ethiopian Foreign Minister Dawit Haile",
        "Somalia's Ali Omar",
    ]


GUARD_TEXT = (
    "DOHA, May 4 (Wire) - Qatari mediators met Hamas and Israeli envoys in Doha on Sunday, "
    "two of the sources said. Washington and Moscow held talks in Geneva before the election."
)


def test_sources_places_and_datelines_are_not_participants():
    draft = {"meetings": [draft_meeting(1, [
        draft_person("DOHA"), draft_person("Qatari mediators"), draft_person("Hamas"),
        draft_person("Israeli envoys"), draft_person("two of the sources"),
    ], location="Doha"), draft_meeting(2, [
        draft_person("Washington"), draft_person("Moscow"), draft_person("Geneva"),
    ], location="Geneva")]}  # fmt: skip
    out = build(GUARD_TEXT, draft)
    first, second = out.meetings
    assert [p.mention for p in first.participants] == [
        "Qatari mediators",
        "Hamas",
        "Israeli envoys",
    ]
    # Capitals may stand for their governments; Geneva is where they met, not who.
    assert [p.mention for p in second.participants] == ["Washington", "Moscow"]
    text = "\n".join(out.warnings)
    assert (
        "'DOHA' dropped: a dateline" in text
        and "'Geneva' dropped: the place of the meeting" in text
    )
    assert "'two of the sources' dropped: the article's sources" in text


def test_people_the_next_sentence_says_hold_no_office_are_unofficial():
    text = (
        "American and Russian participants met in Geneva last week, two sources said. "
        "While the attendees have security experience, they are not government officials."
    )
    draft = {"meetings": [draft_meeting(1, [
        draft_person("American and Russian participants", capacity="official"),
        draft_person("two sources", capacity="official"),
    ], location="Geneva")]}  # fmt: skip
    meeting = build(text, draft).meetings[0]
    assert [p.capacity for p in meeting.participants] == [Capacity.unofficial]
    assert meeting.track is Track.unofficial
    # Without that sentence the model's capacity stands.
    alone = build(text.split(". ")[0] + ".", draft).meetings[0]
    assert alone.participants[0].capacity is Capacity.official


ANONYMOUS_TEXT = (
    "Iranian officials met Swedish diplomats in Oman on Saturday, a person familiar with the "
    "talks said. The person, who asked not to be named because the talks were confidential, "
    "said the Iranian officials and the Swedish diplomats would meet again."
)


def test_an_anonymous_source_referred_back_to_is_not_a_participant():
    # "The person" repeats the source; the reason it is not named is what says so.
    draft = {"meetings": [draft_meeting(2, [
        draft_person("The person"), draft_person("the Iranian officials"),
        draft_person("the Swedish diplomats"),
    ])]}  # fmt: skip
    out = build(ANONYMOUS_TEXT, draft)
    assert [p.mention for p in out.meetings[0].participants] == [
        "the Iranian officials",
        "the Swedish diplomats",
    ]
    assert any("'The person' dropped: one of the article's anonymous sources" in w
               for w in out.warnings)  # fmt: skip


def test_a_participant_followed_by_another_clause_is_kept():
    text = "The Iranian officials, who arrived on Friday, met Swedish diplomats in Oman."
    draft = {"meetings": [draft_meeting(1, [
        draft_person("The Iranian officials"), draft_person("Swedish diplomats"),
    ])]}  # fmt: skip
    out = build(text, draft)
    assert len(out.meetings[0].participants) == 2 and not out.warnings


@pytest.mark.parametrize("location", ["before the election", "Sunday"])
def test_a_location_names_a_place_not_a_time(location):
    n = 2 if location.startswith("before") else 1
    people = [draft_person("Washington"), draft_person("Moscow")] if n == 2 else [
        draft_person("Qatari mediators"), draft_person("Hamas")]  # fmt: skip
    out = build(GUARD_TEXT, {"meetings": [draft_meeting(n, people, location=location)]})
    [m] = out.meetings
    assert m.location is None
    assert any(f"location {location!r} names no place" in w for w in out.warnings)


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("The ministry denied that Lavrov met Rubio in Vienna.", False),
        ("Lavrov did not meet Rubio in Vienna, the ministry said.", False),
        ("Lavrov has not met Rubio since their talks in Vienna in May.", True),
        ("Lavrov met Rubio in Vienna but denied that they discussed sanctions.", True),
        ("Lavrov will host Rubio in Vienna next week, denying that he had met Rubio before.", True),
    ],
)
def test_a_denied_meeting_is_not_one(sentence, kept):
    draft = {"meetings": [draft_meeting(1, [draft_person("Lavrov"), draft_person("Rubio")],
                                        location="Vienna")]}  # fmt: skip
    out = build(sentence, draft)
    assert bool(out.meetings) is kept
    assert any("denies the meeting" in w for w in out.warnings) is not kept


HEADLINED = (
    "Qatari and Egyptian mediators meet Hamas envoys in Doha\n"
    "DOHA (Wire) - Qatari and Egyptian mediators met Hamas envoys in Doha on Sunday to push a "
    "ceasefire plan. Separately, Turkish and Iranian ministers met in Ankara on Monday."
)


def test_a_headline_restating_a_body_meeting_is_that_meeting():
    people = [draft_person("Qatari and Egyptian mediators", affiliation="Qatar"),
              draft_person("Hamas envoys", affiliation="Hamas")]  # fmt: skip
    ankara = draft_meeting(3, [draft_person("Turkish and Iranian ministers", affiliation="Turkey")],
                           location="Ankara")  # fmt: skip
    doha = draft_meeting(2, people, location="Doha", time="on Sunday")
    draft = {"meetings": [draft_meeting(1, people, location="Doha"), doha, ankara]}
    out = build(HEADLINED, draft)
    assert [m.evidence.text[:20] for m in out.meetings] == [
        "DOHA (Wire) - Qatari",
        "Separately, Turkish ",
    ]
    assert any("the headline's meeting" in w for w in out.warnings)


def test_a_headline_is_the_evidence_when_the_body_never_reports_the_meeting():
    people = [draft_person("Qatari and Egyptian mediators", affiliation="Qatar"),
              draft_person("Hamas envoys", affiliation="Hamas")]  # fmt: skip
    ankara = draft_meeting(3, [draft_person("Turkish and Iranian ministers", affiliation="Turkey")],
                           location="Ankara")  # fmt: skip
    out = build(HEADLINED, {"meetings": [draft_meeting(1, people, location="Doha"), ankara]})
    assert [m.evidence.text[:20] for m in out.meetings] == [
        "Qatari and Egyptian ",
        "Separately, Turkish ",
    ]


def test_a_first_paragraph_of_one_sentence_is_not_a_headline():
    text = HEADLINED.replace("envoys in Doha\n", "envoys in Doha.\n", 1)
    people = [draft_person("Qatari and Egyptian mediators", affiliation="Qatar"),
              draft_person("Hamas envoys", affiliation="Hamas")]  # fmt: skip
    doha = draft_meeting(2, people, location="Doha", time="on Sunday")
    out = build(text, {"meetings": [draft_meeting(1, people, location="Doha"), doha]})
    assert len(out.meetings) == 2 and not any("headline" in w for w in out.warnings)


def test_hosts_and_mediators_join_the_meeting_they_host_or_mediate():
    text = (
        "Sudanese army and RSF envoys met in Jeddah on Saturday. It was mediated by Saudi "
        "and American diplomats. Separately, Chad's president met Niger's in Niamey in May."
    )
    sides = [draft_person("Sudanese army and RSF envoys")]
    mediators = [draft_person("Saudi and American diplomats")]
    niamey = [draft_person("Chad's president"), draft_person("Niger's")]
    draft = {"meetings": [draft_meeting(1, sides, location="Jeddah", time="on Saturday"),
                          draft_meeting(2, sides + mediators),
                          draft_meeting(3, niamey, location="Niamey", time="in May")]}  # fmt: skip
    out = build(text, draft)
    jeddah, other = out.meetings
    assert [p.mention for p in jeddah.participants] == [
        "Sudanese army and RSF envoys",
        "Saudi and American diplomats",
    ]
    assert other.location.mention == "Niamey"


def test_a_plural_pronoun_covers_the_sides_it_refers_back_to():
    text = "Iranian and US envoys met in Muscat in April. They met again in Rome in May."
    draft = {"meetings": [draft_meeting(2, [draft_person("They")], location="Rome",
                                        time="in May")]}  # fmt: skip
    [m] = build(text, draft).meetings
    assert [p.mention for p in m.participants] == ["They"] and m.participants[0].name is None


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("Envoys of Chad and Niger hope to meet again in Niamey.", False),
        ("Niger has offered to host talks with Chad in Niamey if the border reopens.", False),
        ("Envoys of Chad and Niger, who met in Niamey, hope to meet again.", True),
        ("Niger's security council met in Niamey on Thursday to review the border.", False),
        ("Niger's security council met Chad's envoys in Niamey on Thursday.", True),
        ("Niger and Chad's joint commission met in Niamey with Chad's envoys.", True),
    ],
)
def test_hoped_for_meetings_and_a_bodys_own_session_are_not_meetings(sentence, kept):
    """The contract's non-meetings: hoped-for, offered or conditional ones, and a committee or
    council session with no second side."""
    people = [draft_person("Niger"), draft_person("Chad")]
    out = build(sentence, {"meetings": [draft_meeting(1, people, location="Niamey")]})
    assert bool(out.meetings) is kept, out.warnings


def test_the_title_the_article_writes_before_a_name_is_the_role(seed_text):
    """The model's "minister" is a word of the article, but the article's own title for the
    person, written before the name, is the contract's role."""
    n = sentence_number(seed_text, "On Tuesday")
    draft = {"meetings": [draft_meeting(n, [
        draft_person("Russian Foreign Minister Sergei Lavrov", role="minister"),
        draft_person("top US officials", role="officials"),
    ], location="Saudi Arabia")]}  # fmt: skip
    [m] = build(seed_text, draft).meetings
    assert [p.role for p in m.participants] == ["Foreign Minister", "officials"]


@pytest.mark.parametrize(
    ("sentence", "host"),
    [
        ("Iranian officials met Swedish diplomats in Muscat on Saturday in talks hosted by "
         "Omani mediators to finalise a prisoner exchange.", "Omani mediators"),
        ("Saudi security officials met Iranian counterparts in Beijing in 2023, with Chinese "
         "officials acting as hosts.", "Chinese officials"),
        ("Ethiopian and Somali officials met in Ankara on Tuesday under the chairmanship of "
         "Turkish Deputy Foreign Minister Kerem Aydin, diplomats said.",
         "Turkish Deputy Foreign Minister Kerem Aydin"),
    ],
)  # fmt: skip
def test_hosts_and_chairs_named_in_a_clause_are_participants(sentence, host):
    """The model names the sides; the people in the chair, named in a clause, join them."""
    sides = [draft_person(m) for m in ("Iranian officials", "Swedish diplomats",
             "Saudi security officials", "Iranian counterparts", "Ethiopian and Somali officials")
             if m in sentence]  # fmt: skip
    [m] = build(sentence, {"meetings": [draft_meeting(1, sides)]}).meetings
    added = m.participants[-1]
    assert added.mention == host and sentence[added.span[0] : added.span[1]] == host
    assert len(m.participants) == len(sides) + 1


def test_a_full_report_that_points_back_only_in_its_attribution_is_its_own_meeting():
    text = (
        "Ethiopia and Somalia held talks in Ankara this week, officials said. On Wednesday, "
        "Ethiopia's foreign minister and Somalia's met in Ankara for four hours, two diplomats "
        "briefed on the meeting said. The talks were chaired by Turkey's foreign minister."
    )
    lede = draft_meeting(1, [draft_person("Ethiopia"), draft_person("Somalia")],
                         location="Ankara", time="this week")  # fmt: skip
    body = draft_meeting(2, [draft_person("Ethiopia's foreign minister"),
                             draft_person("Somalia's")], location="Ankara",
                         time="On Wednesday")  # fmt: skip
    chair = draft_meeting(3, [draft_person("Turkey's foreign minister"),
                              draft_person("Ethiopia's foreign minister")])  # fmt: skip
    out = build(text, {"meetings": [lede, body, chair]})
    # The body sentence stays a meeting of its own; the chair's sentence continues it.
    assert [m.evidence.text[:12] for m in out.meetings] == ["Ethiopia and", "On Wednesday"]
    assert "Turkey's foreign minister" in [p.mention for p in out.meetings[1].participants]


@pytest.mark.parametrize(
    ("sentence", "people", "kept"),
    [
        ("Slovakia's government held an emergency session on Friday on gas supplies.",
         ["Slovakia's government", "Slovakia's"], False),
        ("The parliament's economic affairs committee is due to meet on Tuesday.",
         ["The parliament's economic affairs committee", "parliament's"], False),
        ("The NATO-Russia Council will meet in Brussels on Wednesday.",
         ["NATO", "Russia"], True),
        ("Rebel leaders would be willing to travel to rebel-held areas to meet envoys.",
         ["Rebel leaders", "envoys"], False),
    ],
)  # fmt: skip
def test_more_non_meetings_and_a_two_sided_body(sentence, people, kept):
    draft = {"meetings": [draft_meeting(1, [draft_person(p) for p in people])]}
    out = build(sentence, draft)
    assert bool(out.meetings) is kept, out.warnings


def test_people_named_elsewhere_are_not_added_when_the_sentence_names_the_sides():
    """The reporting sentence says who met: presidents named in the sentence before (whose summit
    the talks prepare) were not in the room. A sentence naming no side keeps the earlier ones."""
    text = (
        "Presidents Trump and Putin plan a summit. US academics met Russian scholars in Geneva "
        "on Monday. The fourth round was held in Oslo in May."
    )
    people = [draft_person("Presidents Trump and Putin"), draft_person("US academics"),
              draft_person("Russian scholars")]  # fmt: skip
    earlier = [draft_person("US academics"), draft_person("Russian scholars")]
    draft = {"meetings": [draft_meeting(2, people, location="Geneva", time="on Monday"),
                          draft_meeting(3, earlier, location="Oslo", time="in May")]}  # fmt: skip
    out = build(text, draft)
    geneva, oslo = out.meetings
    assert [p.mention for p in geneva.participants] == ["US academics", "Russian scholars"]
    assert any("'Presidents Trump and Putin' dropped: named outside" in w for w in out.warnings)
    assert [p.mention for p in oslo.participants] == ["US academics", "Russian scholars"]


def test_a_pronoun_is_a_participant_named_from_its_antecedent():
    """Issue 15's "She later met ...": the pronoun is the participant where the sentence names
    it, its name the earlier full mention's (grounded there); a pronoun with no antecedent keeps
    name null and the meeting is not dropped for it."""
    text = (
        "Peru's foreign minister, Ana Torres, arrived in Lima on Monday. She later met the "
        "visiting Chilean foreign minister. He was received by the king in Rabat on Friday."
    )
    she, he = text.index("She"), text.index("He was")
    draft = {"meetings": [
        draft_meeting(2, [draft_person("She", name="Ana Torres"),
                          draft_person("the visiting Chilean foreign minister")]),
        draft_meeting(3, [draft_person("He"), draft_person("the king")], location="Rabat",
                      time="on Friday"),
    ]}  # fmt: skip
    out = build(text, draft)
    lima, rabat = out.meetings
    first = lima.participants[0]
    assert (first.mention, first.span, first.name) == ("She", (she, she + 3), "Ana Torres")
    assert first.name_span == (text.index("Ana Torres"), text.index("Ana Torres") + 10)
    assert first.affiliation == "Peru" and first.role == "foreign minister"
    assert lima.participants[1].affiliation == "Chile"
    assert [(p.mention, p.name) for p in rabat.participants] == [("He", None), ("the king", None)]
    assert rabat.participants[0].span == (he, he + 2)
