"""The per-sentence strategy: candidates in code, one narrow question per candidate."""

from __future__ import annotations

import asyncio
import json

import pytest
from backchannel.contract.schema import ExtractRequest
from backchannel.pipeline.extractor import Extractor
from backchannel.pipeline.strategies import candidate_sentences, several_meetings_likely
from backchannel.text.sentences import split_sentences

from tests.factories import SEED_DATE, sentence_number
from tests.fakeserver import _QUESTION, Reply, answer_for


def test_candidates_are_meeting_sentences(seed_text):
    picked = {s.number for s in candidate_sentences(split_sentences(seed_text))}
    assert sentence_number(seed_text, "On Tuesday") in picked
    assert sentence_number(seed_text, "Two of the sources said at least one encounter") in picked
    assert sentence_number(seed_text, "The sources declined") not in picked
    assert sentence_number(seed_text, "This article was originally") not in picked


@pytest.mark.parametrize(
    ("sentence", "asked"),
    [
        ("Kim was received by Lee at the Istana.", True),
        ("Biden held a bilateral with Macron on the margins of the G7.", True),
        ("On March 2 he held a video call with Zelensky.", True),
        ("Trump had lunch with Prime Minister Lee at the Istana.", True),
        ("The conference brought Taliban envoys and Afghan politicians to the same table.", True),
        ("Officials of the two countries signed the pact at the border.", True),
        ("Esper and Stoltenberg stood beside Ghani at the palace.", True),
        ("The ambassador handed his credentials to Maduro.", True),
        ("The ceasefire held through the night.", False),
        ("Prices rose by two percent in March.", False),
    ],
)
def test_meetings_without_a_meeting_word_are_still_asked_about(sentence, asked):
    """Receptions, meals, ceremonies and side meetings report meetings with none of the usual
    words; the selection must not lose them before the model sees them (a "no" is cheap)."""
    assert bool(candidate_sentences(split_sentences(sentence))) is asked


def test_sentence_strategy_asks_once_per_candidate(settings, fake_model, seed_text):
    riyadh = sentence_number(seed_text, "On Tuesday")

    def answer(payload: dict) -> Reply:
        question = payload["messages"][-1]["content"]
        if f"sentence [{riyadh}]" in question:
            return Reply.json({"answer": {
                "is_meeting": True,
                "participants": [{"mention": "Russian Foreign Minister Sergei Lavrov",
                                  "name": "Sergei Lavrov", "affiliation": "Russia",
                                  "role": "Foreign Minister", "capacity": "official"},
                                 {"mention": "top US officials", "name": None,
                                  "affiliation": "US", "role": None, "capacity": "official"}],
                "location": "Saudi Arabia", "time": "On Tuesday", "track": "official",
                "status": "held", "topic": None}})  # fmt: skip
        return Reply.json({"answer": {"is_meeting": False}}, prompt_tokens=10, completion_tokens=5)

    fake_model.default = answer
    ex = Extractor(settings.model_copy(update={"strategy": "sentence"}))
    result = asyncio.run(ex.extract(ExtractRequest(text=seed_text, published_at=SEED_DATE)))
    candidates = candidate_sentences(split_sentences(seed_text))
    assert result.usage.calls == len(candidates) == len(fake_model.requests)
    [meeting] = result.meetings
    assert meeting.evidence.start == 1372 and meeting.time.start.isoformat() == "2025-02-18"
    assert result.prompt_version.startswith("s1-")
    # Every question shares the article prefix: only the last user message differs.
    firsts = {json.dumps(r["messages"][:-1]) for r in fake_model.requests}
    assert len(firsts) == 1
    # A sentence's answer is short, so its default bound is too.
    assert {r["max_tokens"] for r in fake_model.requests} == {384}
    schema = fake_model.requests[0]["response_format"]["json_schema"]["schema"]
    assert schema["title"] == "SentenceAnswer"


def test_strategy_is_part_of_the_cache_key(settings, fake_model, seed_text):
    single = Extractor(settings)
    sentence = Extractor(settings.model_copy(update={"strategy": "sentence"}))
    request = ExtractRequest(text=seed_text)
    assert single.key_for(request) != sentence.key_for(request)


def test_a_long_article_may_yield_more_meetings_than_one_reply_may_list(settings, fake_model):
    """One meeting per sentence: 15 candidate sentences give 15 meetings, past the 12 that
    bound a single reply's grammar (this crashed a whole eval once)."""
    text = " ".join(
        f"Minister Alpha{i} of Norway met Minister Beta{i} of Chile in Oslo on Monday."
        for i in range(15)
    )

    def answer(payload: dict) -> Reply:
        question = payload["messages"][-1]["content"]
        n = int(question.split("sentence [", 1)[1].split("]", 1)[0]) - 1
        return Reply.json({"answer": {
            "is_meeting": True,
            "participants": [
                {"mention": f"Minister Alpha{n}", "name": None, "affiliation": "Norway",
                 "role": "Minister", "capacity": "official"},
                {"mention": f"Minister Beta{n}", "name": None, "affiliation": "Chile",
                 "role": "Minister", "capacity": "official"}],
            "location": "Oslo", "time": None, "track": "official", "status": "held",
            "topic": None}})  # fmt: skip

    fake_model.default = answer
    ex = Extractor(settings.model_copy(update={"strategy": "sentence"}))
    result = asyncio.run(ex.extract(ExtractRequest(text=text, published_at=SEED_DATE)))
    assert len(result.meetings) == 15
    # And the draft, cached apart from the result, reloads: a rebuild calls no model.
    calls = len(fake_model.requests)
    again = asyncio.run(ex.extract(ExtractRequest(text=text, published_at=SEED_DATE),
                                   reassemble=True))  # fmt: skip
    assert len(again.meetings) == 15 and len(fake_model.requests) == calls


def _listing(settings) -> Extractor:
    return Extractor(
        settings.model_copy(update={"strategy": "sentence", "sentence_answer": "list"})
    )


def _minister(mention: str, country: str) -> dict:
    return {"mention": mention, "name": None, "affiliation": country, "role": "Minister",
            "capacity": "official"}  # fmt: skip


LIMA_QUITO = (
    "Minister Alpha of Norway and Minister Beta of Chile opened talks in Lima in March and "
    "moved to Quito for a second round in May."
)


def _two_rounds(payload: dict) -> Reply:
    people = [_minister("Minister Alpha", "Norway"), _minister("Minister Beta", "Chile")]
    return Reply.json({"meetings": [
        {"participants": people, "location": "Lima", "time": "in March", "status": "held",
         "topic": None},
        {"participants": people, "location": "Quito", "time": "in May", "status": "held",
         "topic": None},
    ]})  # fmt: skip


def test_a_list_answer_keeps_every_meeting_of_a_sentence(settings, fake_model):
    """The list answer: one sentence, two rounds at two places and times, two meetings, with the
    same evidence (a one-meeting answer could hold only the first)."""
    fake_model.default = _two_rounds
    ex = _listing(settings)
    result = asyncio.run(ex.extract(ExtractRequest(text=LIMA_QUITO, published_at=SEED_DATE)))
    assert [m.location.place for m in result.meetings] == ["Lima", "Quito"]
    assert [m.time.start.isoformat() for m in result.meetings] == ["2024-03-01", "2024-05-01"]
    assert {(m.evidence.start, m.evidence.end) for m in result.meetings} == {(0, len(LIMA_QUITO))}
    [request] = fake_model.requests
    schema = request["response_format"]["json_schema"]["schema"]
    assert schema["title"] == "SentenceMeetings"
    # The track is not asked (code derives it): two ministers make an official meeting.
    assert "track" not in schema["$defs"]["SentenceSlots"]["properties"]
    assert {m.track.value for m in result.meetings} == {"official"}
    assert "Which meetings does this sentence report?" in request["messages"][-1]["content"]
    assert request["max_tokens"] == 512
    assert result.prompt_version.startswith("s2-")


def test_a_list_answer_repeating_one_meeting_gives_it_once(settings, fake_model):
    """A small model may list the same meeting twice: same sentence, same people, no other place
    or time is one meeting."""
    people = [_minister("Minister Alpha", "Norway"), _minister("Minister Beta", "Chile")]
    same = {"participants": people, "location": "Lima", "time": "in March",
            "status": "held", "topic": None}  # fmt: skip
    fake_model.default = lambda _p: Reply.json({"meetings": [same, same]})
    ex = _listing(settings)
    result = asyncio.run(ex.extract(ExtractRequest(text=LIMA_QUITO, published_at=SEED_DATE)))
    assert len(result.meetings) == 1
    assert any("duplicate" in w for w in result.warnings)


def test_an_empty_list_is_no_meeting(settings, fake_model, seed_text):
    fake_model.default = lambda _p: Reply.json({"meetings": []}, completion_tokens=4)
    ex = _listing(settings)
    result = asyncio.run(ex.extract(ExtractRequest(text=seed_text, published_at=SEED_DATE)))
    assert result.meetings == []
    assert result.usage.calls == len(candidate_sentences(split_sentences(seed_text)))


def test_a_lean_answer_asks_the_fewest_slots_and_code_fills_the_rest(settings, fake_model):
    """The lean answer: participants as the article's words, place, time, status; the name, role,
    affiliation, capacity and track come from the article's words, as code reads them anyway."""
    text = ("Egypt's Irrigation Minister Tarek Soliman met Ethiopia's Minister of Water and "
            "Energy Abebe Tesfaye in Cairo on Tuesday.")  # fmt: skip
    fake_model.default = lambda _p: Reply.json({"answer": {
        "is_meeting": True,
        "participants": ["Egypt's Irrigation Minister Tarek Soliman", "unknown",
                         "Ethiopia's Minister of Water and Energy Abebe Tesfaye"],
        "location": "Cairo", "time": "on Tuesday", "status": "held"}},
        completion_tokens=40)  # fmt: skip
    ex = Extractor(settings.model_copy(update={"strategy": "sentence", "sentence_answer": "lean"}))
    result = asyncio.run(ex.extract(ExtractRequest(text=text, published_at=SEED_DATE)))
    [meeting] = result.meetings
    assert [(p.name, p.affiliation, p.capacity.value) for p in meeting.participants] == [
        ("Tarek Soliman", "Egypt", "official"),
        ("Abebe Tesfaye", "Ethiopia", "official"),
    ]
    assert meeting.track.value == "official" and meeting.location.country == "Egypt"
    [request] = fake_model.requests
    schema = request["response_format"]["json_schema"]["schema"]
    assert schema["title"] == "LeanAnswer"
    lean = schema["$defs"]["LeanMeeting"]["properties"]
    assert set(lean) == {"is_meeting", "participants", "location", "time", "status"}
    assert request["max_tokens"] == 256 and result.prompt_version.startswith("s3-")


def test_the_two_sentence_answers_are_cached_apart(settings, fake_model, seed_text):
    one = Extractor(settings.model_copy(update={"strategy": "sentence"}))
    listed = _listing(settings)
    request = ExtractRequest(text=seed_text)
    assert one.key_for(request) != listed.key_for(request)
    assert one.strategy.version.startswith("s1-") and listed.strategy.version.startswith("s2-")


def test_one_runaway_answer_leaves_its_sentence_unanswered_not_the_article(settings, fake_model):
    """A long article is hundreds of questions; one answer that runs past max_tokens with
    nothing complete in it is said in the warnings and the other answers stand. Only when no
    question got an answer is it the article's error."""
    from backchannel.contract.errors import ModelOutputError

    text = LIMA_QUITO + "\nMinister Alpha met Minister Beta in Oslo on Friday."
    sentence_ex = Extractor(settings.model_copy(update={"strategy": "sentence"}))
    cut = Reply(content='{"participants": [{"mention": "Minister Al', finish_reason="length",
                completion_tokens=384)  # fmt: skip
    people = [_minister("Minister Alpha", "Norway"), _minister("Minister Beta", "Chile")]
    oslo = {"sentence": 2, "participants": people, "location": "Oslo", "time": "on Friday",
            "track": "official", "status": "held", "topic": None}  # fmt: skip

    def model(payload: dict) -> Reply:
        if _QUESTION.search(payload["messages"][-1]["content"]).group(1) == "1":
            return cut
        return Reply.json(answer_for(payload, {"meetings": [oslo]}))

    fake_model.default = model
    result = asyncio.run(sentence_ex.extract(ExtractRequest(text=text, published_at=SEED_DATE)))
    assert [m.location.place for m in result.meetings] == ["Oslo"]
    assert result.warnings[0].startswith("sentence 1 left unanswered: model output was cut off")
    assert result.usage.calls == 2 and result.usage.completion_tokens >= 384  # its cost counts
    again = asyncio.run(sentence_ex.extract(ExtractRequest(text=text, published_at=SEED_DATE)))
    assert again.cached and again.warnings[0] == result.warnings[0]  # the cache keeps the warning
    fake_model.default = lambda _p: cut
    with pytest.raises(ModelOutputError, match="cut off"):
        asyncio.run(sentence_ex.extract(ExtractRequest(text=text + " ")))


@pytest.mark.parametrize(("text", "several"), [
    ("In August, Lindqvist met Jovanović in Belgrade and then Krasniqi in Pristina.", True),
    ("He held talks with the president and later met the prime minister.", True),
    ("The envoy met the two delegations separately in Ankara.", True),
    ("The two ministers met in Ankara on Wednesday.", False),
    ("Talks on the dam resumed in Cairo, officials said.", False),
])  # fmt: skip
def test_sentences_that_may_report_several_meetings_are_told_apart(text, several):
    assert several_meetings_likely(text) is several
