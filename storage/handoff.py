"""The hand-off side of the SQL store: reference numbers, sealed submissions and addenda,
the secretariat's notice, and the owner's view of what they sent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Insert, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from dialogs.progress import Progress
from storage import outbox
from storage.keys import Keyring
from storage.models import (
    addenda,
    addendum_keys,
    addendum_parts,
    reference_counters,
    submission_keys,
    submission_parts,
    submissions,
)
from storage.ports import KeyMissing, Submission
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


async def announce(conn: AsyncConnection, keyring: Keyring, reference: str, progress: Progress,
                   urgent: bool, now: datetime) -> None:
    """Keep where to reach the person (encrypted) and queue the secretariat's notice."""
    if progress.contact is not None:
        sealed = outbox.seal_contact(keyring, reference, progress.contact, progress.language)
        await conn.execute(update(submissions).where(submissions.c.reference == reference)
                           .values(contact=sealed, contact_key_id=keyring.active))
    await outbox.enqueue(conn, outbox.SECRETARIAT, "new_application", reference,
                         {"urgent": urgent}, now)


_addenda = select(func.count()).where(
    addenda.c.reference == submissions.c.reference).scalar_subquery()
_owned = (
    select(submissions.c.reference, submissions.c.submitted_at, submissions.c.urgent,
           submissions.c.status, submissions.c.contact, submissions.c.contact_key_id,
           _addenda.label("addenda"))
    .where(submissions.c.owner_hash == bindparam("owner_hash"))
    .order_by(submissions.c.year, submissions.c.sequence)
)


async def owned(conn: AsyncConnection, owner_hash: bytes,
                keys_for: Callable[[str], Keyring]) -> list[Submission]:
    """An owner's submissions as the queue lists them, oldest first, each with the language
    the person used (``keys_for`` gives the keyring that holds a key id)."""
    rows = await conn.execute(_owned, {"owner_hash": owner_hash})
    return [Submission(r.reference, r.submitted_at, r.urgent, r.status, addenda=r.addenda,
                       language=_language(r.reference, r.contact, r.contact_key_id, keys_for))
            for r in rows]


def _language(reference: str, sealed: bytes | None, key_id: str | None,
              keys_for: Callable[[str], Keyring]) -> str | None:
    if sealed is None or key_id is None:
        return None
    try:
        return outbox.open_contact(keys_for(key_id), reference, sealed, key_id)[1]
    except KeyMissing:  # a retired key: the language is a convenience, not a need
        return None
