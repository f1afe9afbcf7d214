"""Retention and repeat cases: a draft's notice stage, acknowledgement, repeat-case index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the columns; existing rows start with no notice sent and no acknowledgement."""
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("notice", sa.Integer, nullable=False, server_default="0"))
        batch.create_index("ix_drafts_updated_at", ["updated_at"])
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("acknowledged_at", UtcDateTime, nullable=True))
        batch.add_column(sa.Column("repeat_hash", sa.LargeBinary(32), nullable=True))
        batch.create_index("ix_submissions_repeat_hash", ["repeat_hash"])


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_repeat_hash")
        batch.drop_column("repeat_hash")
        batch.drop_column("acknowledged_at")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_index("ix_drafts_updated_at")
        batch.drop_column("notice")
