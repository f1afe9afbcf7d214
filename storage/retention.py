"""Retention on the SQL store: idle drafts, notices claimed once across replicas, purges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update

from dialogs import codec
from dialogs.progress import Progress
from storage import crypto, database, status
from storage.models import (
    addenda,
    addendum_keys,
    addendum_parts,
    drafts,
    status_events,
    submission_keys,
    submission_parts,
    submissions,
)
from storage.sql import SqlStore

_d = drafts.c


@dataclass(frozen=True)
class Idle:
    """A draft nobody touched since ``updated_at``; ``version`` guards every action on it."""

    id: str
    version: int
    updated_at: datetime
    progress: Progress


class Janitor:
    """What the retention schedule may do; each action succeeds on one replica only."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    async def idle(self, before: datetime, below_notice: int, limit: int = 200) -> list[Idle]:
        """Drafts idle since before ``before`` whose notice stage is lower than given."""
        query = (select(_d.id, _d.version, _d.updated_at, _d.key_id, _d.wrapped_key,
                        _d.progress)
                 .where((_d.updated_at < before) & (_d.notice < below_notice))
                 .order_by(_d.updated_at).limit(limit))
        async with self.store.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [Idle(r.id, r.version, r.updated_at, self._open(r.id, r.key_id, r.wrapped_key,
                                                                r.progress)) for r in rows]

    async def mark(self, draft: Idle, notice: int) -> bool:
        """Record that a notice is being sent; False if another replica did, or it changed."""
        statement = (update(drafts)
                     .where((_d.id == draft.id) & (_d.version == draft.version)
                            & (_d.notice < notice))
                     .values(notice=notice))
        async with self.store.engine.begin() as conn:
            return (await conn.execute(statement)).rowcount == 1

    async def expire(self, draft: Idle) -> bool:
        """Delete an idle draft with its files and key, unless it was used meanwhile."""
        statement = delete(drafts).where((_d.id == draft.id) & (_d.version == draft.version))
        async with self.store.engine.begin() as conn:
            gone = (await conn.execute(statement)).rowcount == 1
        if gone:
            self.store.cache.drop(draft.id)  # shredded: no decrypted copy stays in memory
        return gone

    async def forget_updates(self, before: datetime) -> int:
        return await database.forget_updates(self.store.engine, before)

    async def purge_sealed(self, before: datetime) -> int:
        """Sealed contents the secretariat acknowledged before ``before`` leave the database.

        The application's contents go once its receipt was acknowledged; a Nachtrag's once it
        was exported. The queue row stays (status, audit trail, the sealed address for status
        notices, later Nachträge) until the case is closed: see :meth:`drop_closed`.
        Returns how many sealed rows (parts and key wraps) were removed.
        """
        acknowledged = select(submissions.c.reference).where(
            submissions.c.acknowledged_at < before)
        removed = 0
        async with self.store.engine.begin() as conn:
            for table in (submission_parts, submission_keys):
                statement = delete(table).where(table.c.reference.in_(acknowledged))
                removed += (await conn.execute(statement)).rowcount or 0
            for table in (addendum_parts, addendum_keys):
                exported = select(addenda.c.number).where(
                    (addenda.c.reference == table.c.reference)
                    & (addenda.c.number == table.c.number)
                    & (addenda.c.acknowledged_at < before)).exists()
                removed += (await conn.execute(delete(table).where(exported))).rowcount or 0
        return removed

    async def drop_closed(self, before: datetime) -> int:
        """Forget cases closed (withdrawn, recommendation given) before ``before`` entirely."""
        last = select(status_events.c.reference).group_by(status_events.c.reference).having(
            func.max(status_events.c.at) < before)
        statement = delete(submissions).where(
            submissions.c.status.in_(status.CLOSED) & submissions.c.reference.in_(last))
        async with self.store.engine.begin() as conn:
            return (await conn.execute(statement)).rowcount or 0

    def _open(self, draft_id: str, key_id: str, wrapped: bytes, blob: bytes) -> Progress:
        keyring = self.store.keyring
        data_key = crypto.unwrap_key(keyring.kek(key_id), key_id, draft_id, wrapped)
        plain = crypto.decrypt(data_key, blob, crypto.place("drafts", draft_id, "progress"))
        return codec.loads(plain)
