"""clinic settings in the database

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-01

The clinic-wide settings (name, address, phones, e-mail, emergency sentences, time zone, locale,
holidays country and region, closure days, default protocol set, idle lock, backups kept) move
from clinic.toml and environment variables into one row edited by an administrator. The first
start with a clinic.toml imports it (services/clinic_settings.py), not this migration: the file
lives in a user's data folder, which a migration run elsewhere cannot see.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clinic_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("address", sa.String(length=2000), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("after_hours_phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=120), nullable=True),
        sa.Column("emergency_sentences", sa.Text(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("locale", sa.String(length=32), nullable=True),
        sa.Column("holidays_country", sa.String(length=32), nullable=True),
        sa.Column("holidays_region", sa.String(length=32), nullable=True),
        sa.Column("closure_days", sa.Text(), nullable=True),
        sa.Column("default_protocol_set", sa.String(length=120), nullable=True),
        sa.Column("idle_lock_minutes", sa.Integer(), nullable=False),
        sa.Column("backups_kept", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_clinic_settings_single_row")),
        sa.CheckConstraint(
            "idle_lock_minutes BETWEEN 1 AND 240", name=op.f("ck_clinic_settings_idle_lock_minutes")
        ),
        sa.CheckConstraint(
            "backups_kept BETWEEN 1 AND 365", name=op.f("ck_clinic_settings_backups_kept")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_settings")),
    )


def downgrade() -> None:
    op.drop_table("clinic_settings")
