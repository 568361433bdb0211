"""The corpus store: articles, their extractions, meetings, participants, entities and events, in
a SQL database (SQLite by default, PostgreSQL for teams) through SQLAlchemy, with Alembic
migrations."""
