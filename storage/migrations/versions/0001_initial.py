"""Initial schema: drafts, attachments, processed updates, sealed submissions.

Revision ID: 0001
Revises:
Create Date: 2026-05-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("owner_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
        sa.Column("progress", sa.LargeBinary, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_drafts"),
        sa.UniqueConstraint("owner_hash", name="uq_drafts_owner_hash"),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("draft_id", sa.String(32), nullable=False),
        sa.Column("meta", sa.LargeBinary, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name="fk_attachments_draft_id_drafts",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_attachments_draft_id", "attachments", ["draft_id"])
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("processed_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("update_id", name="pk_processed_updates"),
    )
    op.create_table(
        "reference_counters",
        sa.Column("year", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_reference_counters"),
    )
    _create_submissions()


def _create_submissions() -> None:
    op.create_table(
        "submissions",
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("submitted_at", UtcDateTime, nullable=False),
        sa.Column("urgent", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("owner_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("reference", name="pk_submissions"),
        sa.UniqueConstraint("year", "sequence", name="uq_submissions_year_sequence"),
    )
    op.create_index("ix_submissions_owner_hash", "submissions", ["owner_hash"])
    op.create_table(
        "submission_parts",
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("reference", "name", name="pk_submission_parts"),
        sa.ForeignKeyConstraint(
            ["reference"],
            ["submissions.reference"],
            name="fk_submission_parts_reference_submissions",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "submission_keys",
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("wrapped", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("reference", "fingerprint", name="pk_submission_keys"),
        sa.ForeignKeyConstraint(
            ["reference"],
            ["submissions.reference"],
            name="fk_submission_keys_reference_submissions",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    """Drop every table (and with it all drafts and submissions)."""
    for table in (
        "submission_keys",
        "submission_parts",
        "submissions",
        "reference_counters",
        "processed_updates",
        "attachments",
        "drafts",
    ):
        op.drop_table(table)
