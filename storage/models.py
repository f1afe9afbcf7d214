"""The schema as SQLAlchemy Core tables; Alembic migrations create it, this describes it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every dialect (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner_hash", LargeBinary(32), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("progress", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("notice", Integer, nullable=False, server_default="0"),  # retention notices sent
    Index("ix_drafts_updated_at", "updated_at"),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("draft_id", String(32), ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False),
    Column("meta", LargeBinary, nullable=False),  # encrypted JSON: kind, mime, size
    Column("content", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_attachments_draft_id", "draft_id"),
)

processed_updates = Table(
    "processed_updates",
    metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("processed_at", UtcDateTime, nullable=False),
)

reference_counters = Table(
    "reference_counters",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last", Integer, nullable=False),
)

submissions = Table(
    "submissions",
    metadata,
    Column("reference", String(32), primary_key=True),
    Column("year", Integer, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("owner_hash", LargeBinary(32), nullable=False),
    Column("recipients", Text, nullable=False),  # space-separated key fingerprints
    Column("acknowledged_at", UtcDateTime, nullable=True),
    Column("repeat_hash", LargeBinary(32), nullable=True),  # keyed hash of name + birth date
    Column("contact", LargeBinary, nullable=True),  # encrypted for the bot: where to notify
    Column("contact_key_id", String(64), nullable=True),
    UniqueConstraint("year", "sequence", name="uq_submissions_year_sequence"),
    Index("ix_submissions_owner_hash", "owner_hash"),
    Index("ix_submissions_repeat_hash", "repeat_hash"),
)

submission_parts = Table(
    "submission_parts",
    metadata,
    Column(
        "reference",
        String(32),
        ForeignKey("submissions.reference", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("name", String(200), primary_key=True),
    Column("ciphertext", LargeBinary, nullable=False),
)

submission_keys = Table(
    "submission_keys",
    metadata,
    Column(
        "reference",
        String(32),
        ForeignKey("submissions.reference", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("fingerprint", String(64), primary_key=True),
    Column("wrapped", LargeBinary, nullable=False),
)

status_events = Table(
    "status_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "reference",
        String(32),
        ForeignKey("submissions.reference", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("status", String(16), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(40), nullable=False),  # a staff handle, never applicant data
    Column("meeting", Date, nullable=True),
    Index("ix_status_events_reference", "reference"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("audience", String(16), nullable=False),  # "applicant" or "secretariat"
    Column("event", String(32), nullable=False),
    Column("reference", String(32), nullable=False),
    Column("params", Text, nullable=False),  # JSON of ids and dates, never personal data
    Column("created_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("gave_up_at", UtcDateTime, nullable=True),
    Index("ix_outbox_due_at", "due_at"),
)

addenda = Table(
    "addenda",
    metadata,
    Column(
        "reference",
        String(32),
        ForeignKey("submissions.reference", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("number", Integer, primary_key=True, autoincrement=False),  # 1, 2, … per reference
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("recipients", Text, nullable=False),  # space-separated key fingerprints
    Column("acknowledged_at", UtcDateTime, nullable=True),  # exported by the secretariat
)

addendum_parts = Table(
    "addendum_parts",
    metadata,
    Column("reference", String(32), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), primary_key=True),
    Column("ciphertext", LargeBinary, nullable=False),
    ForeignKeyConstraint(["reference", "number"], ["addenda.reference", "addenda.number"],
                         ondelete="CASCADE"),
)

addendum_keys = Table(
    "addendum_keys",
    metadata,
    Column("reference", String(32), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("fingerprint", String(64), primary_key=True),
    Column("wrapped", LargeBinary, nullable=False),
    ForeignKeyConstraint(["reference", "number"], ["addenda.reference", "addenda.number"],
                         ondelete="CASCADE"),
)
