"""The hand-off side of the SQL store: reference numbers, sealed submissions and addenda."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Insert, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import (
    addenda,
    addendum_keys,
    addendum_parts,
    reference_counters,
    submission_keys,
    submission_parts,
    submissions,
)
from storage.sealing import Envelope

_counter = reference_counters.c
# One counter row per year, bumped in the submitting transaction: numbers have no gaps
# (a rollback un-bumps) and concurrent submitters queue on the row lock.
_NEXT_NUMBER: dict[str, Insert] = {
    name: dialect.insert(reference_counters)
    .values(last=1)
    .on_conflict_do_update(index_elements=[_counter.year], set_={"last": _counter.last + 1})
    .returning(_counter.last)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def format_reference(prefix: str, year: int, number: int) -> str:
    """``LEV-2026-0042``."""
    return f"{prefix}-{year}-{number:04d}"


async def next_reference(conn: AsyncConnection, prefix: str, year: int) -> str:
    """Allocate the next reference of ``year``."""
    statement = _NEXT_NUMBER[conn.dialect.name]
    number = (await conn.execute(statement, {"year": year})).scalar_one()
    return format_reference(prefix, year, number)


async def record(
    conn: AsyncConnection,
    envelope: Envelope,
    *,
    owner_hash: bytes,
    urgent: bool,
    submitted_at: datetime,
    repeat_hash: bytes | None = None,
) -> None:
    """Insert the queue entry, its sealed parts and one key wrap per recipient."""
    ref = envelope.reference
    _, year, number = ref.rsplit("-", 2)
    row = {
        "reference": ref,
        "year": int(year),
        "sequence": int(number),
        "submitted_at": submitted_at,
        "urgent": urgent,
        "status": "new",
        "owner_hash": owner_hash,
        "recipients": " ".join(envelope.wraps),
        "repeat_hash": repeat_hash,
    }
    await conn.execute(submissions.insert(), [row])
    parts = [{"reference": ref, "name": n, "ciphertext": c} for n, c in envelope.parts.items()]
    await conn.execute(submission_parts.insert(), parts)
    wraps = envelope.wraps.items()
    keys = [{"reference": ref, "fingerprint": f, "wrapped": w} for f, w in wraps]
    await conn.execute(submission_keys.insert(), keys)


def addendum_reference(reference: str, number: int) -> str:
    """What an addendum's envelope is sealed to: ``LEV-2026-0042/2``."""
    return f"{reference}/{number}"


async def next_addendum(conn: AsyncConnection, reference: str) -> int:
    """The next addendum number of ``reference`` (the caller holds the submission's row lock)."""
    last = select(func.max(addenda.c.number)).where(addenda.c.reference == reference)
    return int((await conn.execute(last)).scalar() or 0) + 1


async def record_addendum(
    conn: AsyncConnection, reference: str, number: int, envelope: Envelope, submitted_at: datetime
) -> None:
    """Insert the addendum, its sealed parts and one key wrap per recipient."""
    at = {"reference": reference, "number": number}
    await conn.execute(addenda.insert(), [
        {**at, "submitted_at": submitted_at, "recipients": " ".join(envelope.wraps)}])
    await conn.execute(addendum_parts.insert(), [
        {**at, "name": n, "ciphertext": c} for n, c in envelope.parts.items()])
    await conn.execute(addendum_keys.insert(), [
        {**at, "fingerprint": f, "wrapped": w} for f, w in envelope.wraps.items()])
