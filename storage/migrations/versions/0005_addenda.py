"""Addenda (Nachträge): new facts or documents sealed to an application's reference.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "addenda",
        sa.Column("reference", sa.String(32),
                  sa.ForeignKey("submissions.reference", ondelete="CASCADE",
                                name="fk_addenda_reference_submissions"), nullable=False),
        sa.Column("number", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("submitted_at", UtcDateTime, nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("acknowledged_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("reference", "number", name="pk_addenda"),
    )
    for table, column, kind in (("addendum_parts", "name", sa.String(200)),
                                ("addendum_keys", "fingerprint", sa.String(64))):
        value = "ciphertext" if table == "addendum_parts" else "wrapped"
        op.create_table(
            table,
            sa.Column("reference", sa.String(32), nullable=False),
            sa.Column("number", sa.Integer, autoincrement=False, nullable=False),
            sa.Column(column, kind, nullable=False),
            sa.Column(value, sa.LargeBinary, nullable=False),
            sa.PrimaryKeyConstraint("reference", "number", column, name=f"pk_{table}"),
            sa.ForeignKeyConstraint(["reference", "number"],
                                    ["addenda.reference", "addenda.number"], ondelete="CASCADE",
                                    name=f"fk_{table}_reference_addenda"),
        )


def downgrade() -> None:
    op.drop_table("addendum_keys")
    op.drop_table("addendum_parts")
    op.drop_table("addenda")
