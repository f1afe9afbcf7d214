"""The outbox: notifications written in the same transaction as their event, delivered later.

Rows hold references, event names and non-personal parameters only. Where to reach the
applicant is stored with the submission, encrypted under the drafts' key-encryption key, so
only the bot can read it (the secretariat's status command merely names the reference).
Delivery is at most once per row: a row is marked sent *before* the message goes out; a
failure that Telegram reports puts it back (with the wait Telegram asks for).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import crypto
from storage.keys import Keyring
from storage.models import outbox, submissions

APPLICANT, SECRETARIAT = "applicant", "secretariat"
_o = outbox.c


@dataclass(frozen=True)
class Notice:
    id: int
    audience: str
    event: str
    reference: str
    params: dict[str, Any]
    attempts: int


async def enqueue(conn: AsyncConnection, audience: str, event: str, reference: str,
                  params: dict[str, Any], now: dt.datetime) -> None:
    """Queue a notification inside the caller's transaction."""
    await conn.execute(outbox.insert().values(
        audience=audience, event=event, reference=reference, params=json.dumps(params),
        created_at=now, due_at=now, attempts=0))


def seal_contact(keyring: Keyring, reference: str, contact: str, language: str) -> bytes:
    """Where to notify the applicant, encrypted for the bot and bound to the submission."""
    plain = json.dumps({"contact": contact, "language": language}).encode()
    return crypto.encrypt(keyring.kek(keyring.active), plain,
                          crypto.place("submissions", reference, "contact"))


def open_contact(keyring: Keyring, reference: str, sealed: bytes,
                 key_id: str) -> tuple[str, str]:
    """(contact, language) as :func:`seal_contact` stored them."""
    plain = crypto.decrypt(keyring.kek(key_id), sealed,
                           crypto.place("submissions", reference, "contact"))
    found = json.loads(plain)
    return str(found["contact"]), str(found["language"])


class Courier:
    """The bot's side: due notices, claims, outcomes, and the applicant's address."""

    def __init__(self, engine: AsyncEngine, keys: Callable[[str], Keyring]) -> None:
        self.engine = engine
        self.keys = keys  # key id → the keyring holding it (reloaded after a rotation)

    async def due(self, now: dt.datetime, limit: int = 50) -> list[Notice]:
        query = (select(_o.id, _o.audience, _o.event, _o.reference, _o.params, _o.attempts)
                 .where((_o.due_at <= now) & _o.sent_at.is_(None) & _o.gave_up_at.is_(None))
                 .order_by(_o.id).limit(limit))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [Notice(r.id, r.audience, r.event, r.reference, json.loads(r.params), r.attempts)
                for r in rows]

    async def claim(self, notice: Notice, now: dt.datetime) -> bool:
        """Mark as sent before sending: one replica wins, and nothing is sent twice."""
        return await self._set(notice.id, _o.sent_at.is_(None), sent_at=now)

    async def later(self, notice: Notice, at: dt.datetime) -> None:
        await self._set(notice.id, _o.gave_up_at.is_(None), sent_at=None, due_at=at,
                        attempts=notice.attempts + 1)

    async def give_up(self, notice: Notice, now: dt.datetime) -> None:
        await self._set(notice.id, _o.gave_up_at.is_(None), sent_at=None, gave_up_at=now)

    async def backlog(self) -> int:
        query = select(_o.id).where(_o.sent_at.is_(None) & _o.gave_up_at.is_(None))
        async with self.engine.connect() as conn:
            return len((await conn.execute(query)).all())

    async def address(self, reference: str) -> tuple[str, str] | None:
        """The applicant's (contact, language), or None if unknown."""
        query = select(submissions.c.contact, submissions.c.contact_key_id).where(
            submissions.c.reference == reference)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None or row.contact is None:
            return None
        keyring = self.keys(row.contact_key_id)
        return open_contact(keyring, reference, row.contact, row.contact_key_id)

    async def _set(self, notice_id: int, guard: Any, **values: Any) -> bool:
        async with self.engine.begin() as conn:
            result = await conn.execute(update(outbox).where((_o.id == notice_id) & guard)
                                        .values(**values))
            return result.rowcount == 1
