"""a protocol chosen for one patient

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01

A physician may assign a patient a protocol other than the one matched by site and histology
(issue 12 item 6): the protocol's id, the reason, who chose it and when. Every existing patient
keeps the clinic's default (all four empty).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("patients") as batch:
        batch.add_column(sa.Column("protocol_id", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("protocol_reason", sa.String(length=2000), nullable=True))
        batch.add_column(sa.Column("protocol_chosen_by", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("protocol_chosen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("protocol_chosen_at")
        batch.drop_column("protocol_chosen_by")
        batch.drop_column("protocol_reason")
        batch.drop_column("protocol_id")
