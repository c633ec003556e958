"""Alembic migrations of the SurvTrack schema (run automatically at start)."""

#: The newest revision in versions/: a database already at it opens without loading Alembic.
#: tests/store/test_migrations.py holds it equal to Alembic's own head.
HEAD_REVISION = "0016"
