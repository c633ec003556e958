"""Alembic migrations of the SurvTrack schema (run automatically at start)."""
