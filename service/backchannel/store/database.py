"""Opening the store: an engine for `BACKCHANNEL_DATABASE_URL`, migrated to the newest schema.

SQLite needs two things PostgreSQL does by itself: foreign keys enforced (so deleting an article
removes its rows) and a busy timeout (so an API worker and a CLI run can share the file).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

MIGRATIONS = Path(__file__).with_name("migrations")


class StoreError(Exception):
    """The database cannot be opened or is not one this version can use."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception:
        raise StoreError(
            f"BACKCHANNEL_DATABASE_URL {url!r} is not a database URL "
            "(e.g. sqlite:///corpus.db or postgresql+psycopg://user@host/db)"
        ) from None
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed)
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")  # the driver we ship
        return create_engine(parsed, pool_pre_ping=True)
    except (OSError, ImportError, ValueError, SQLAlchemyError) as exc:  # no folder, no driver
        raise StoreError(f"cannot open the database at {url!r}: {exc}") from None


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it is there already)."""
    config = alembic_config(engine)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as exc:  # a wrong password, no server, a database from a newer version
        raise StoreError(f"cannot open the database at {engine.url!r}: {exc}") from exc
