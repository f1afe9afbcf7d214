"""The secretariat's audit trail: every status change, when, by which staff handle.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "status_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(32),
                  sa.ForeignKey("submissions.reference", ondelete="CASCADE",
                                name="fk_status_events_reference_submissions"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("actor", sa.String(40), nullable=False),
        sa.Column("meeting", sa.Date, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_status_events"),
    )
    op.create_index("ix_status_events_reference", "status_events", ["reference"])


def downgrade() -> None:
    op.drop_index("ix_status_events_reference", "status_events")
    op.drop_table("status_events")
