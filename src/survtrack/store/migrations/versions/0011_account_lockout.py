"""accounts: failed sign-ins in a row, locked until, password change forced by a reset

Revision ID: 0011
Revises: 0012
Create Date: 2026-12-01

Lockout after repeated failed sign-ins is stored per user so that every workstation and the
command line see it; an administrator's password reset makes the next sign-in choose a new one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (no batch rebuild): the users table keeps its triggers and references
    op.add_column(
        "users", sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("users", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "users",
        sa.Column(
            "must_change_password", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_sign_ins")
