"""The store's tables. Every span is kept as two offsets into `articles.text`, the text they were
found in, so any row can be shown in its article."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class ArticleRow(Base):
    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the text
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[dt.date | None] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    site: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list[str]] = mapped_column(default=list)
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    extractions: Mapped[list[ExtractionRow]] = relationship(
        back_populates="article", cascade="all, delete-orphan"
    )


class ExtractionRow(Base):
    """One extraction of one article by one setup (model, prompt version, strategy): a rerun
    with the same setup finds it and does not extract again."""

    __tablename__ = "extractions"
    __table_args__ = (UniqueConstraint("article_id", "setup", name="uq_extraction_setup"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    setup: Mapped[str] = mapped_column(String(512))
    model: Mapped[str] = mapped_column(Text)
    prompt_version: Mapped[str] = mapped_column(Text)
    strategy: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))  # done | failed
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    article: Mapped[ArticleRow] = relationship(back_populates="extractions")
    meetings: Mapped[list[MeetingRow]] = relationship(
        back_populates="extraction", cascade="all, delete-orphan", order_by="MeetingRow.ordinal"
    )


class LeaseRow(Base):
    """An article being extracted by one worker for one setup, until `until`: other workers pass
    it by, and a crashed worker's lease simply runs out."""

    __tablename__ = "leases"

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    setup: Mapped[str] = mapped_column(String(512), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    until: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class EntityRow(Base):
    """A person or group, as one across articles: "Lavrov", "Sergei Lavrov" and "Russian Foreign
    Minister Sergei Lavrov" are one entity."""

    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # person | group
    name: Mapped[str] = mapped_column(Text)
    country_code: Mapped[str | None] = mapped_column(String(3))


class EventRow(Base):
    """Meetings from different articles that report the same event."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_date: Mapped[dt.date | None] = mapped_column(Date)
    last_date: Mapped[dt.date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(Text)
    country_code: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    track: Mapped[str] = mapped_column(String(16))

    meetings: Mapped[list[MeetingRow]] = relationship(back_populates="event")


class MeetingRow(Base):
    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_time", "time_from", "time_to"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extractions.id", ondelete="CASCADE"))
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text)
    evidence_start: Mapped[int] = mapped_column(Integer)
    evidence_end: Mapped[int] = mapped_column(Integer)
    track: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str | None] = mapped_column(Text)
    place_mention: Mapped[str | None] = mapped_column(Text)
    place_start: Mapped[int | None] = mapped_column(Integer)
    place_end: Mapped[int | None] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)
    country_code: Mapped[str | None] = mapped_column(String(3))
    geoname_id: Mapped[int | None] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    time_mention: Mapped[str | None] = mapped_column(Text)
    time_start: Mapped[int | None] = mapped_column(Integer)
    time_end: Mapped[int | None] = mapped_column(Integer)
    time_from: Mapped[dt.date | None] = mapped_column(Date)
    time_to: Mapped[dt.date | None] = mapped_column(Date)

    extraction: Mapped[ExtractionRow] = relationship(back_populates="meetings")
    event: Mapped[EventRow | None] = relationship(back_populates="meetings")
    participants: Mapped[list[ParticipantRow]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="ParticipantRow.ordinal"
    )


class ParticipantRow(Base):
    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    entity_id: Mapped[int | None] = mapped_column(
        ForeignKey("entities.id", ondelete="SET NULL"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    mention: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(Text)
    name_start: Mapped[int | None] = mapped_column(Integer)
    name_end: Mapped[int | None] = mapped_column(Integer)
    affiliation: Mapped[str | None] = mapped_column(Text)
    country_code: Mapped[str | None] = mapped_column(String(3))
    role: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[str] = mapped_column(String(16))

    meeting: Mapped[MeetingRow] = relationship(back_populates="participants")
    entity: Mapped[EntityRow | None] = relationship()
