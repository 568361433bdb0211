"""What the model is asked to return: short quoted strings, enums and sentence numbers.

No offsets and no dates: a small model gets those wrong and code gets them right. The JSON Schema of
`Draft` is what constrained decoding enforces. Every field is required (null where unknown) so the
grammar walks the model through each slot in order instead of letting it skip one; list lengths
are bounded so a confused model cannot enumerate forever.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from backchannel import lexicon
from backchannel.contract.schema import Capacity, Status, Track

_PLACEHOLDERS = frozenset(lexicon.words("answers", "placeholders"))


def _placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.strip().casefold() in _PLACEHOLDERS


def _null_placeholder(value: Any) -> Any:
    """ "unknown", "N/A" and the like are what a small model writes for null: they are null, not
    words to look for in the article (which would only warn that they are not there)."""
    return None if _placeholder(value) else value


Text = Annotated[str | None, BeforeValidator(_null_placeholder)]


def _real_participants(people: list[Any]) -> list[Any]:
    """A participant whose mention is a placeholder is no participant (a participant is an object
    with a mention, or in the lean answer the mention itself)."""
    return [p for p in people if not _placeholder(p.get("mention") if isinstance(p, dict) else p)]


DRAFT_VERSION = "2"


class DraftParticipant(BaseModel):
    model_config = ConfigDict(extra="ignore")

    mention: str = Field(
        description="the few words of the article that name this person or group, copied exactly"
    )
    name: Text = Field(description="proper name, or null if unnamed")
    affiliation: Text = Field(description="country or organisation they represent")
    role: Text = Field(description="title or position, or null")
    capacity: Capacity


class DraftMeeting(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sentence: int = Field(description="number of the sentence that reports the meeting")
    participants: list[DraftParticipant] = Field(max_length=8)
    location: Text = Field(description="where, copied exactly from the article, or null")
    time: Text = Field(description="the time phrase copied exactly from the article, or null")
    track: Track
    status: Status
    topic: Text

    _participants = field_validator("participants", mode="before")(_real_participants)


class Draft(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # The bound is for the grammar (the model cannot enumerate forever), not for validation: the
    # `sentence` strategy assembles one meeting per sentence, and a long article has more.
    meetings: list[DraftMeeting] = Field(json_schema_extra={"maxItems": 12})


class NoMeeting(BaseModel):
    model_config = ConfigDict(extra="ignore")

    is_meeting: Literal[False]


class SentenceMeeting(BaseModel):
    """The slots of the one meeting a sentence reports (the sentence number is known)."""

    model_config = ConfigDict(extra="ignore")

    is_meeting: Literal[True]
    participants: list[DraftParticipant] = Field(max_length=6)
    location: Text
    time: Text
    track: Track
    status: Status
    topic: Text

    _participants = field_validator("participants", mode="before")(_real_participants)

    def draft_meeting(self, sentence: int) -> DraftMeeting:
        return _draft_meeting(sentence, self)


class SentenceAnswer(BaseModel):
    """Per-sentence verdict: a non-meeting costs a handful of tokens, a meeting its slots."""

    model_config = ConfigDict(extra="ignore")

    answer: NoMeeting | SentenceMeeting

    question: ClassVar[str] = "Does this sentence report a meeting? Answer as JSON."

    @staticmethod
    def reply(example: dict[str, Any]) -> dict[str, Any]:
        """The full reply for a few-shot example's answer."""
        return {"answer": example}

    def as_meetings(self, sentence: int) -> list[DraftMeeting]:
        a = self.answer
        if isinstance(a, NoMeeting):
            return []
        return [a.draft_meeting(sentence)]


class SentenceSlots(BaseModel):
    """One meeting of the asked sentence (the sentence number is known).

    `SentenceMeeting`'s slots without its verdict and its track; not shared by inheritance
    because the grammar follows field order, and the verdict must come first there. One of the two
    answers goes when the dev comparison has chosen (`BACKCHANNEL_SENTENCE_ANSWER`)."""

    model_config = ConfigDict(extra="ignore")

    participants: list[DraftParticipant] = Field(max_length=6)
    location: Text
    time: Text
    status: Status
    topic: Text

    _participants = field_validator("participants", mode="before")(_real_participants)

    # Not asked: code derives the track from the sentence's words and the capacities, and a
    # perfect answer's track is worth 0.1 points of slot F1 over that (bench/README.md, row 9),
    # for 5% of an answer's tokens.
    track: ClassVar[Track] = Track.unknown


class SentenceMeetings(BaseModel):
    """Per-sentence answer as a list: a sentence reports none, one or several meetings ("the talks
    opened in Lima in March and moved to Quito for a second round in May"), and a one-meeting
    answer can hold only the first. None costs `{"meetings": []}`, fewer tokens than a verdict."""

    model_config = ConfigDict(extra="ignore")

    # A grammar bound (a sentence rarely reports more than three), so a confused model stops.
    meetings: list[SentenceSlots] = Field(max_length=3)

    question: ClassVar[str] = "Which meetings does this sentence report? Answer as JSON."

    @staticmethod
    def reply(example: dict[str, Any]) -> dict[str, Any]:
        return example

    def as_meetings(self, sentence: int) -> list[DraftMeeting]:
        return [_draft_meeting(sentence, m) for m in self.meetings]


class LeanMeeting(BaseModel):
    """The one meeting a sentence reports, in the fewest tokens: who as the article words them,
    where, when and whether it happened. Not asked, because code reads them off the article better
    than the 1.5B model writes them (bench/README.md, row 9, on a dev run's answers): the name
    (the proper name in or after the mention), the role (the title where the article introduces
    the person), the affiliation (the mention's demonym or country), the capacity (role words),
    the track (the sentence's words and the capacities) and the topic (not scored)."""

    model_config = ConfigDict(extra="ignore")

    is_meeting: Literal[True]
    participants: list[str] = Field(max_length=6)
    location: Text
    time: Text
    status: Status

    _participants = field_validator("participants", mode="before")(_real_participants)

    def draft_meeting(self, sentence: int) -> DraftMeeting:
        people = [
            DraftParticipant(mention=m, name=None, affiliation=None, role=None,
                             capacity=Capacity.unknown)
            for m in self.participants
        ]  # fmt: skip
        return DraftMeeting(sentence=sentence, participants=people, location=self.location,
                            time=self.time, track=Track.unknown, status=self.status,
                            topic=None)  # fmt: skip


class LeanAnswer(SentenceAnswer):
    """`SentenceAnswer` with `LeanMeeting`'s slots: a meeting in about 37% of the characters."""

    answer: NoMeeting | LeanMeeting  # type: ignore[assignment]


def _draft_meeting(sentence: int, a: SentenceMeeting | SentenceSlots) -> DraftMeeting:
    return DraftMeeting(
        sentence=sentence, participants=a.participants, location=a.location, time=a.time,
        track=a.track, status=a.status, topic=a.topic,
    )  # fmt: skip
