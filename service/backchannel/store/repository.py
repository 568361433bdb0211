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
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from backchannel.contract.schema import ExtractResult, Meeting
from backchannel.normalise.places import city, country_code
from backchannel.sources.documents import Article
from backchannel.store.database import make_engine, migrate
from backchannel.store.tables import ArticleRow, ExtractionRow, MeetingRow, ParticipantRow

State = Literal["queued", "done", "failed"]


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
    state: State | None = None  # None: never extracted with the setup asked about
    result: ExtractResult | None = None
    error: str | None = None


def _article(row: ArticleRow) -> Article:
    return Article(
        id=row.id,
        text=row.text,
        published_at=row.published_at,
        url=row.url,
        title=row.title,
        site=row.site,
        source=row.source,
        external_id=row.external_id,
        warnings=list(row.warnings or []),
    )


def _meeting_row(article_id: str, ordinal: int, m: Meeting) -> MeetingRow:
    loc, time = m.location, m.time
    place = city(loc.place) if loc and loc.place else None
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
        # Coordinates only for a city in the same country as the meeting's: a namesake elsewhere
        # ("Paris, Texas") is not where it happened.
        geoname_id=place.geoname_id if place and place.country == loc.country else None,  # type: ignore[union-attr]
        latitude=place.latitude if place and place.country == loc.country else None,  # type: ignore[union-attr]
        longitude=place.longitude if place and place.country == loc.country else None,  # type: ignore[union-attr]
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


class Store:
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
        """An article and, for `setup` (or its newest extraction), its state and result."""
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
                    .order_by(ExtractionRow.id.desc())
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
        killed run left queued. Oldest first, so a resumed run goes on where it stopped."""
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

    def queue(self, article_id: str, setup: Setup) -> None:
        """Mark an article as waiting for `setup` (the API answers 202 and a worker extracts)."""
        self._put(article_id, setup, "queued")

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
            ext.finished_at = None if state == "queued" else dt.datetime.now(dt.UTC)
            ext.result = result.model_dump(mode="json") if result else None
            ext.meetings = [
                _meeting_row(article_id, i, m)
                for i, m in enumerate(result.meetings if result else [])
            ]

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
