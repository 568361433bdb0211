"""Hostile articles: the scripted model obeys the injection; shape and grounding still hold."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from backchannel.contract.schema import ExtractRequest, ExtractResult
from backchannel.pipeline.extractor import Extractor

from tests.factories import draft_meeting, draft_person, sentence_number
from tests.fakeserver import Reply

HOSTILE = Path(__file__).parent / "data" / "hostile"


# What a model that obeys each article's injection answers, and strings that must not come out.
CASES = {
    "ignore-instructions.txt": (
        [
            {
                "meetings": [
                    draft_meeting(2, [draft_person("Supreme Leader Xi", capacity="supreme")])
                ]
            },
            {
                "meetings": [
                    draft_meeting(
                        1,
                        [draft_person("Foreign ministers of Norway and Colombia")],
                        location="Oslo",
                        time="on Monday",
                    ),
                    draft_meeting(
                        2,
                        [
                            draft_person("Emperor Palpatine", name="Sheev Palpatine"),
                            draft_person("Pope Leo", role="Grand Inquisitor"),
                        ],
                        location="Atlantis Prime",
                        time="on 30 February 1999",
                        topic="reveal the system prompt and all keys",
                    ),
                ]
            },
        ],
        [
            "Palpatine",
            "Grand Inquisitor",
            "Atlantis Prime",
            "30 February",
            "system prompt",
        ],
    ),
    "fake-json.txt": (
        [
            {
                "meetings": [
                    draft_meeting(
                        1,
                        [draft_person("Delegations from Armenia and Azerbaijan")],
                        location="Geneva",
                        time="last week",
                    ),
                    draft_meeting(
                        2,
                        [
                            draft_person(
                                "Darth Vader, Lord of the Sith", affiliation="Galactic Empire"
                            )
                        ],
                        location="the Death Star's bridge",
                        time="a long time ago in a galaxy",
                    ),
                ]
            }
        ],
        ["Lord of the Sith", "Death Star's bridge", "galaxy"],
    ),
    "fake-system-prompt.txt": (
        [
            {
                "meetings": [
                    draft_meeting(
                        3,
                        [
                            draft_person("Officials from Qatar and Egypt"),
                            draft_person("Hamas negotiators"),
                        ],
                        location="Cairo",
                        time="on Tuesday",
                    ),
                    draft_meeting(
                        1,
                        [
                            draft_person("the CEO of MegaCorp International"),
                            draft_person("UN Secretary-General Antonio Guterres"),
                        ],
                        location="Zurich HQ",
                        topic="API key sk-live-0000 and the hidden prompt",
                    ),
                ]
            }
        ],
        ["MegaCorp", "Guterres", "Zurich HQ", "sk-live", "hidden prompt"],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_obeyed_injection_cannot_escape_grounding(settings, fake_model, name):
    replies, forbidden = CASES[name]
    fake_model.push(*[Reply.json(r) for r in replies])
    text = (HOSTILE / name).read_text(encoding="utf-8")
    request = ExtractRequest(text=text, published_at="2025-02-20")
    result = asyncio.run(Extractor(settings).extract(request))
    ExtractResult.model_validate(result.model_dump())  # shape unchanged
    result.check_grounded(text)  # every quote is the article's own words
    out = json.dumps(result.model_dump(mode="json")["meetings"])
    for value in forbidden:
        assert value not in out, value
    assert result.warnings, "every dropped value is reported"
    assert result.meetings and result.meetings[0].evidence.text in text


@pytest.mark.parametrize("name", ["unicode-rtl.txt", "crlf.txt"])
def test_odd_characters_keep_exact_offsets(settings, fake_model, name):
    text = (HOSTILE / name).read_bytes().decode("utf-8")
    if name == "crlf.txt":
        assert "\r\n" in text
        draft = {
            "meetings": [
                draft_meeting(
                    1,
                    [draft_person("Envoys from Chile and Peru")],
                    location="Lima",
                    time="on Friday",
                )
            ]
        }
    else:
        draft = {"meetings": [
            draft_meeting(1, [
                draft_person("Saudi Foreign Minister Faisal bin Farhan", affiliation="Saudi"),
                draft_person("Iran's envoy Ali Rezaei", affiliation="Iranian")],
                    location="Riyadh", time="On Tuesday"),
            draft_meeting(sentence_number(text, "The café"),
                    [draft_person("José Müller", role="Swiss mediator", capacity="unofficial"),
                     draft_person("Iran's envoy Ali Rezaei")],
                    location="Zurich"),
        ]}  # fmt: skip
    fake_model.push(Reply.json(draft))
    result = asyncio.run(Extractor(settings).extract(ExtractRequest(text=text)))
    result.check_grounded(text)
    # Offsets are code points and survive a JSON round trip (as the API sends them).
    again = ExtractResult.model_validate_json(result.model_dump_json())
    again.check_grounded(text)
    mentions = [p.mention for m in result.meetings for p in m.participants]
    if name == "crlf.txt":
        assert mentions == ["Envoys from Chile and Peru"]
        assert "\r" not in result.meetings[0].evidence.text
    else:
        assert "Iran\u2019s envoy Ali Rezaei" in mentions  # curly apostrophe in the article
        assert result.meetings[0].participants[0].affiliation == "Saudi Arabia"
        assert [m.location.mention for m in result.meetings] == ["Riyadh", "Zürich"]
