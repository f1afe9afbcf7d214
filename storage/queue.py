"""The secretariat's side of the hand-off: list, fetch and open sealed submissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import handoff, sealing
from storage.models import (
    addenda,
    addendum_keys,
    addendum_parts,
    submission_keys,
    submission_parts,
    submissions,
)
from storage.ports import NotFound, Submission
from storage.sealing import Envelope, PrivateKey

_s = submissions.c
_a = addenda.c


@dataclass(frozen=True)
class Addendum:
    """A sealed Nachtrag of an application."""

    number: int
    submitted_at: datetime
    envelope: Envelope


async def list_submissions(engine: AsyncEngine) -> list[Submission]:
    """The queue: urgent first, then oldest first."""
    count = select(func.count()).where(_a.reference == _s.reference).scalar_subquery()
    query = select(_s.reference, _s.submitted_at, _s.urgent, _s.status, _s.repeat_hash,
                   count.label("addenda")).order_by(
        _s.urgent.desc(), _s.submitted_at, _s.year, _s.sequence
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    earlier: dict[bytes, list[tuple[datetime, str]]] = {}
    for r in rows:
        if r.repeat_hash is not None:
            earlier.setdefault(r.repeat_hash, []).append((r.submitted_at, r.reference))
    return [Submission(r.reference, r.submitted_at, r.urgent, r.status, tuple(
        ref for at, ref in sorted(earlier.get(r.repeat_hash or b"", []))
        if ref != r.reference and at <= r.submitted_at), r.addenda) for r in rows]


async def fetch_submission(engine: AsyncEngine, reference: str) -> tuple[Submission, Envelope]:
    """One queue entry and its sealed envelope; NotFound for an unknown reference."""
    async with engine.connect() as conn:
        row = (await conn.execute(select(submissions).where(_s.reference == reference))).first()
        if row is None:
            raise NotFound(f"no submission {reference}")
        parts = await conn.execute(
            select(submission_parts.c.name, submission_parts.c.ciphertext).where(
                submission_parts.c.reference == reference
            )
        )
        wraps = await conn.execute(
            select(submission_keys.c.fingerprint, submission_keys.c.wrapped).where(
                submission_keys.c.reference == reference
            )
        )
        envelope = Envelope(reference, {n: c for n, c in parts}, {f: w for f, w in wraps})
    return Submission(row.reference, row.submitted_at, row.urgent, row.status), envelope


async def fetch_addenda(engine: AsyncEngine, reference: str) -> list[Addendum]:
    """The application's addenda, sealed, in order (none for an unknown reference)."""
    async with engine.connect() as conn:
        heads = (await conn.execute(select(_a.number, _a.submitted_at).where(
            _a.reference == reference).order_by(_a.number))).all()
        parts = (await conn.execute(select(
            addendum_parts.c.number, addendum_parts.c.name, addendum_parts.c.ciphertext).where(
            addendum_parts.c.reference == reference))).all()
        wraps = (await conn.execute(select(
            addendum_keys.c.number, addendum_keys.c.fingerprint, addendum_keys.c.wrapped).where(
            addendum_keys.c.reference == reference))).all()
    return [Addendum(number, at, Envelope(
        handoff.addendum_reference(reference, number),
        {name: data for n, name, data in parts if n == number},
        {fingerprint: data for n, fingerprint, data in wraps if n == number}))
        for number, at in heads]


def open_submission(sealed: Envelope, private_key: PrivateKey) -> dict[str, bytes]:
    """Part name → plaintext, for a recipient's private key."""
    return sealing.open_envelope(sealed, private_key)


async def acknowledge_addenda(engine: AsyncEngine, reference: str, numbers: list[int],
                              now: datetime) -> None:
    """The secretariat has these Nachträge now (exported): their contents may be purged later."""
    if not numbers:
        return
    async with engine.begin() as conn:
        await conn.execute(update(addenda).where(
            (_a.reference == reference) & _a.number.in_(numbers) & _a.acknowledged_at.is_(None))
            .values(acknowledged_at=now))
