"""Alembic's environment: migrations run on the connection the store hands over (or on
`sqlalchemy.url` when run from the `alembic` command)."""

from alembic import context
from backchannel.store.tables import Base
from sqlalchemy import create_engine

config = context.config


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    # Batch mode: SQLite alters a table by copying it, which later migrations will need.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with create_engine(config.get_main_option("sqlalchemy.url")).begin() as conn:
        _run(conn)
