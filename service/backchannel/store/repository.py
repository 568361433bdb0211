"""Reading and writing the corpus: articles in, extractions and their meetings out.

Each extraction is written in one transaction with its meetings and participants, so a run killed
half-way leaves every article either extracted or not, never half; the next run picks up the
ones that are not (`pending`). One extraction per article and setup (model, prompt version,
strategy) is a constraint of the database, not a convention of the code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import Engine, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from backchannel.contract.schema import ExtractResult, Meeting
from backchannel.normalise.places import city, country_code
from backchannel.sources.documents import Article
from backchannel.store.database import make_engine, migrate
from backchannel.store.tables import (
    ArticleRow,
    EntityRow,
    EventRow,
    ExtractionRow,
    LeaseRow,
    MeetingRow,
    ParticipantRow,
)

State = Literal["done", "failed"]


class Setup(BaseModel):
    """What an extraction depends on besides the text: another setup extracts again."""

    model: str
    prompt_version: str
    strategy: str

    @property
    def key(self) -> str:
        return f"{self.strategy} {self.model} {self.prompt_version}"


class StoredArticle(BaseModel):
    article: Article
    state: State | None = None  # None: not extracted yet with the setup asked about
    result: ExtractResult | None = None
    error: str | None = None


def _article(row: ArticleRow) -> Article:
    return Article.model_validate(row, from_attributes=True)


def _meeting_row(article_id: str, ordinal: int, m: Meeting) -> MeetingRow:
    loc, time = m.location, m.time
    # Coordinates only for a city in the same country as the meeting's: a namesake elsewhere
    # ("Paris, Texas") is not where it happened.
    found = city(loc.place) if loc and loc.place else None
    here = found if found and loc and found.country == loc.country else None
    row = MeetingRow(
        article_id=article_id,
        ordinal=ordinal,
        evidence=m.evidence.text,
        evidence_start=m.evidence.start,
        evidence_end=m.evidence.end,
        track=m.track.value,
        status=m.status.value,
        topic=m.topic,
        place_mention=loc.mention if loc else None,
        place_start=loc.span[0] if loc else None,
        place_end=loc.span[1] if loc else None,
        place=loc.place if loc else None,
        country=loc.country if loc else None,
        country_code=country_code(loc.country) if loc else None,
        geoname_id=here.geoname_id if here else None,
        latitude=here.latitude if here else None,
        longitude=here.longitude if here else None,
        time_mention=time.mention if time else None,
        time_start=time.span[0] if time else None,
        time_end=time.span[1] if time else None,
        time_from=time.start if time else None,
        time_to=time.end if time else None,
    )
    row.participants = [
        ParticipantRow(
            ordinal=i,
            mention=p.mention,
            start=p.span[0],
            end=p.span[1],
            name=p.name,
            name_start=p.name_span[0] if p.name_span else None,
            name_end=p.name_span[1] if p.name_span else None,
            affiliation=p.affiliation,
            country_code=country_code(p.affiliation),
            role=p.role,
            capacity=p.capacity.value,
        )
        for i, p in enumerate(m.participants)
    ]
    return row


# --- events ----------------------------------------------------------------------------------


class Source(BaseModel):
    """One article's report of an event: where to read it."""

    article_id: str
    url: str | None = None
    title: str | None = None
    site: str | None = None
    published_at: dt.date | None = None
    evidence: str
    evidence_start: int
    evidence_end: int


class EventView(BaseModel):
    id: int
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    place: str | None = None
    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    status: str
    track: str
    people: list[str]
    sides: list[str]
    sources: list[Source]


# The deepest page a caller may ask for: far past any corpus, and inside every database's integer
# range (SQLite's is 64-bit signed; a larger OFFSET fails in the driver, not with a message).
MAX_OFFSET = 1_000_000_000


class EventFilter(BaseModel):
    person: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-3 (names are turned into codes by callers)
    since: dt.date | None = None
    until: dt.date | None = None


class StoredMeeting(BaseModel):
    """A meeting of an article's newest finished extraction, with its row id."""

    meeting_id: int
    article_id: str
    published_at: dt.date | None
    meeting: Meeting


class EntityRef(BaseModel):
    key: str
    name: str
    kind: str = "person"
    country_code: str | None = None


def _most_common(values: list[str | None]) -> str | None:
    present = [v for v in values if v]
    return max(sorted(set(present)), key=present.count) if present else None


class Store:
    """The corpus: articles, their extractions, and the events linking makes of them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Store:
        engine = make_engine(url)
        migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def add(self, article: Article) -> bool:
        """Store an article; False if the same text is stored already (ingesting is idempotent)."""
        with self.session() as s:
            if s.get(ArticleRow, article.id) is not None:
                return False
        try:
            with self.session() as s:
                s.add(ArticleRow(**article.model_dump()))
        except IntegrityError:  # another worker stored the same text in between
            return False
        return True

    def _extraction(self, s: Session, article_id: str, setup: Setup) -> ExtractionRow | None:
        return s.scalar(
            select(ExtractionRow).where(
                ExtractionRow.article_id == article_id, ExtractionRow.setup == setup.key
            )
        )

    def get(self, article_id: str, setup: Setup | None = None) -> StoredArticle | None:
        """An article and, for `setup` (else its newest finished extraction, the one its events
        are made of; else its newest), its state and result."""
        with self.session() as s:
            row = s.get(ArticleRow, article_id)
            if row is None:
                return None
            if setup is not None:
                ext = self._extraction(s, article_id, setup)
            else:
                ext = s.scalar(
                    select(ExtractionRow)
                    .where(ExtractionRow.article_id == article_id)
                    .order_by((ExtractionRow.state == "done").desc(), ExtractionRow.id.desc())
                    .limit(1)
                )
            out = StoredArticle(article=_article(row))
            if ext is not None:
                out.state = ext.state  # type: ignore[assignment]
                out.error = ext.error
                if ext.result is not None:
                    out.result = ExtractResult.model_validate(ext.result)
            return out

    def pending(self, setup: Setup) -> list[Article]:
        """Articles with no finished extraction by `setup`: new ones, failed ones and those a
        killed run did not reach. Oldest first, so a resumed run goes on where it stopped."""
        done = select(ExtractionRow.article_id).where(
            ExtractionRow.setup == setup.key, ExtractionRow.state == "done"
        )
        with self.session() as s:
            rows = s.scalars(
                select(ArticleRow)
                .where(ArticleRow.id.not_in(done))
                .order_by(ArticleRow.ingested_at, ArticleRow.id)
            ).all()
            return [_article(r) for r in rows]

    def claim(
        self,
        article_id: str,
        setup: Setup,
        holder: str,
        seconds: float,
        replacing: str | None = None,
    ) -> bool:
        """Take the article for `holder` for `seconds`, unless another worker holds it or it is
        done: several workers can then share one queue without extracting an article twice. A
        worker that dies keeps its articles only until its leases run out (or until a worker
        that knows it is dead takes them over: `replacing`)."""
        now = dt.datetime.now(dt.UTC)
        until = now + dt.timedelta(seconds=seconds)
        mine = (LeaseRow.article_id == article_id, LeaseRow.setup == setup.key)
        holders = [holder] + ([replacing] if replacing else [])
        try:
            with self.session() as s:
                taken = s.execute(
                    update(LeaseRow)
                    .where(*mine, or_(LeaseRow.until < now, LeaseRow.holder.in_(holders)))
                    .values(holder=holder, until=until)
                ).rowcount
                if not taken:
                    if s.get(LeaseRow, (article_id, setup.key)) is not None:
                        return False  # held by another worker, and not run out
                    s.add(LeaseRow(article_id=article_id, setup=setup.key, holder=holder,
                                   until=until))  # fmt: skip
                    s.flush()
        except IntegrityError:  # another worker inserted its lease in between
            return False
        with self.session() as s:
            ext = self._extraction(s, article_id, setup)
            if ext is not None and ext.state == "done":  # finished while we looked
                s.execute(delete(LeaseRow).where(*mine))
                return False
        return True

    def lease_holder(self, article_id: str, setup: Setup) -> str | None:
        with self.session() as s:
            lease = s.get(LeaseRow, (article_id, setup.key))
            return lease.holder if lease is not None else None

    def save(self, article_id: str, setup: Setup, result: ExtractResult) -> None:
        """The extraction and its meetings, in one transaction."""
        self._put(article_id, setup, "done", result=result)

    def fail(self, article_id: str, setup: Setup, error: str) -> None:
        self._put(article_id, setup, "failed", error=error)

    def _put(
        self,
        article_id: str,
        setup: Setup,
        state: State,
        result: ExtractResult | None = None,
        error: str | None = None,
    ) -> None:
        with self.session() as s:
            ext = self._extraction(s, article_id, setup)
            if ext is None:
                ext = ExtractionRow(
                    article_id=article_id,
                    setup=setup.key,
                    model=setup.model,
                    prompt_version=setup.prompt_version,
                    strategy=setup.strategy,
                )
                s.add(ext)
            elif ext.state == "done" and state != "done":
                return  # a finished extraction is never downgraded by a late failure
            ext.state, ext.error = state, error
            ext.finished_at = dt.datetime.now(dt.UTC)
            ext.result = result.model_dump(mode="json") if result else None
            ext.meetings = [
                _meeting_row(article_id, i, m)
                for i, m in enumerate(result.meetings if result else [])
            ]
            # Done or failed: whoever held it lets it go (a failed one is retried later).
            s.execute(
                delete(LeaseRow).where(
                    LeaseRow.article_id == article_id, LeaseRow.setup == setup.key
                )
            )

    def counts(self) -> dict[str, int]:
        with self.session() as s:
            states = dict(
                s.execute(
                    select(ExtractionRow.state, func.count()).group_by(ExtractionRow.state)
                ).all()
            )
            return {
                "articles": s.scalar(select(func.count()).select_from(ArticleRow)) or 0,
                "meetings": s.scalar(select(func.count()).select_from(MeetingRow)) or 0,
                **{str(k): int(v) for k, v in states.items()},
            }

    # --- events ---------------------------------------------------------------------------

    def latest_meetings(self) -> list[StoredMeeting]:
        """Every article's newest finished extraction's meetings: what events are made of."""
        with self.session() as s:
            newest = (
                select(func.max(ExtractionRow.id))
                .where(ExtractionRow.state == "done")
                .group_by(ExtractionRow.article_id)
            )
            rows = s.execute(
                select(ExtractionRow, ArticleRow.published_at)
                .join(ArticleRow)
                .where(ExtractionRow.id.in_(newest))
                .order_by(ExtractionRow.id)
            ).all()
            out = []
            for ext, published in rows:
                result = ExtractResult.model_validate(ext.result)
                for row, m in zip(ext.meetings, result.meetings, strict=True):
                    out.append(StoredMeeting(meeting_id=row.id, article_id=ext.article_id,
                                             published_at=published, meeting=m))  # fmt: skip
            return out

    def unlinked(self) -> bool:
        """Whether some meeting has no event yet (linking is owed)."""
        with self.session() as s:
            return s.scalar(select(exists().where(MeetingRow.event_id.is_(None)))) or False

    def write_events(
        self, clusters: list[list[int]], people: dict[tuple[int, int], EntityRef]
    ) -> None:
        """Replace the events and entities: `clusters` of meeting ids, `people[(meeting id,
        participant ordinal)]` their entity. An event's id is its first meeting's, so an event
        keeps its id as long as its first report does."""
        with self.session() as s:
            s.execute(update(MeetingRow).values(event_id=None))
            s.execute(update(ParticipantRow).values(entity_id=None))
            s.execute(delete(EventRow))
            s.execute(delete(EntityRow))
            entities = {
                r.key: EntityRow(key=r.key, kind=r.kind, name=r.name, country_code=r.country_code)
                for r in people.values()
            }
            s.add_all(entities.values())
            s.flush()  # one round trip gives every entity its id
            entity_ids = {key: row.id for key, row in entities.items()}
            for (meeting_id, ordinal), ref in people.items():
                s.execute(
                    update(ParticipantRow)
                    .where(ParticipantRow.meeting_id == meeting_id,
                           ParticipantRow.ordinal == ordinal)
                    .values(entity_id=entity_ids[ref.key])
                )  # fmt: skip
            for members in clusters:
                rows = s.scalars(select(MeetingRow).where(MeetingRow.id.in_(members))).all()
                froms = [r.time_from for r in rows if r.time_from]
                tos = [r.time_to for r in rows if r.time_to]
                statuses = [r.status for r in rows]
                event = EventRow(
                    id=min(members),
                    first_date=min(froms) if froms else None,
                    last_date=max(tos) if tos else None,
                    place=_most_common([r.place for r in rows if r.geoname_id])
                    or _most_common([r.place for r in rows]),
                    country_code=_most_common([r.country_code for r in rows]),
                    status="held" if "held" in statuses else _most_common(statuses) or "unknown",
                    track=_most_common([r.track for r in rows if r.track != "unknown"])
                    or "unknown",
                )
                s.add(event)
                s.flush()
                s.execute(
                    update(MeetingRow).where(MeetingRow.id.in_(members)).values(event_id=event.id)
                )

    def events(
        self, where: EventFilter, limit: int = 50, offset: int = 0
    ) -> tuple[int, list[EventView]]:
        """(how many events match, one page of them), newest first."""
        query = select(EventRow)
        if where.since:
            query = query.where(
                func.coalesce(EventRow.last_date, EventRow.first_date) >= where.since
            )
        if where.until:
            query = query.where(
                func.coalesce(EventRow.first_date, EventRow.last_date) <= where.until
            )
        if where.country:
            in_meeting = (
                select(MeetingRow.id)
                .join(ParticipantRow)
                .where(MeetingRow.event_id == EventRow.id,
                       ParticipantRow.country_code == where.country)
            )  # fmt: skip
            query = query.where(or_(EventRow.country_code == where.country, exists(in_meeting)))
        if where.person:
            pattern = f"%{where.person.strip().lower()}%"
            named = (
                select(MeetingRow.id)
                .join(ParticipantRow)
                .join(EntityRow, ParticipantRow.entity_id == EntityRow.id)
                .where(MeetingRow.event_id == EventRow.id,
                       or_(func.lower(EntityRow.name).like(pattern),
                           EntityRow.key.like(pattern)))
            )  # fmt: skip
            query = query.where(exists(named))
        with self.session() as s:
            total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
            page = s.scalars(
                query.order_by(
                    func.coalesce(EventRow.first_date, EventRow.last_date).desc().nulls_last(),
                    EventRow.id,
                )
                .limit(limit)
                .offset(offset)
            ).all()
            return total, [self._view(s, e) for e in page]

    @staticmethod
    def _view(s: Session, event: EventRow) -> EventView:
        rows = s.execute(
            select(MeetingRow, ArticleRow)
            .join(ArticleRow, MeetingRow.article_id == ArticleRow.id)
            .where(MeetingRow.event_id == event.id)
            .order_by(ArticleRow.published_at.nulls_last(), MeetingRow.id)
        ).all()
        people: list[str] = []
        sides: list[str] = []
        for meeting, _ in rows:
            for p in meeting.participants:
                name = p.entity.name if p.entity else None
                if name and name not in people:
                    people.append(name)
                side = p.country_code or p.affiliation
                if side and side not in sides:
                    sides.append(side)
        located = next((m for m, _ in rows if m.latitude is not None), None)
        return EventView(
            id=event.id,
            first_date=event.first_date,
            last_date=event.last_date,
            place=event.place,
            country_code=event.country_code,
            latitude=located.latitude if located else None,
            longitude=located.longitude if located else None,
            status=event.status,
            track=event.track,
            people=people,
            sides=sides,
            sources=[
                Source(
                    article_id=a.id,
                    url=a.url,
                    title=a.title,
                    site=a.site,
                    published_at=a.published_at,
                    evidence=m.evidence,
                    evidence_start=m.evidence_start,
                    evidence_end=m.evidence_end,
                )
                for m, a in rows
            ],  # fmt: skip
        )
