"""The SQL store: drafts encrypted per draft, hand-off sealed, one transaction per unit.

On SQLite every unit runs on the process's one writer (storage/writer.py), which commits
units in groups; on PostgreSQL each unit is its own transaction on one of a few held
connections, run on asyncpg directly (storage/postgres.py). Either way the frequent
statements run on the driver's connection (storage/statements.py). Recently used drafts
stay decrypted in a small cache (storage/cache.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from dialogs import codec
from dialogs.progress import Progress
from storage import crypto, database, handoff, outbox, postgres, sealing, statements, status
from storage.cache import DraftCache, Known
from storage.keys import Keyring
from storage.models import addenda, attachments, drafts, submissions
from storage.ports import Closed, Conflict, Draft, KeyMissing, NotFound, Submission
from storage.sealing import RecipientKey
from storage.statements import InlineStatements, Statements
from storage.writer import Writer

Clock = Callable[[], datetime]
_d = drafts.c


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def _place(attachment_id: str, field: str) -> bytes:
    return crypto.place("attachments", attachment_id, field)


def _sealed(data_key: bytes, draft: Draft) -> bytes:
    """The draft's progress, encrypted and bound to its row."""
    place = crypto.place("drafts", draft.id, "progress")
    return crypto.encrypt(data_key, codec.dumps(draft.progress), place)


class SqlStore:
    """Opens units of work on an engine; drafts under the keyring, hand-off to recipients."""

    def __init__(
        self,
        engine: AsyncEngine,
        keyring: Keyring,
        recipients: Sequence[RecipientKey],
        reference_prefix: str = "LEV",
        *,
        clock: Clock = utcnow,
    ) -> None:
        if not recipients:
            raise ValueError("at least one recipient public key is required")
        self.engine = engine
        self.keyring = keyring
        self.recipients = tuple(recipients)
        self.reference_prefix = reference_prefix
        self.clock = clock
        self.refresh_keys: Callable[[], object] | None = None  # reloads ``keyring`` if set
        self.cache = DraftCache()
        self._prepared = statements.prepare(engine.dialect)
        sqlite_engine = engine.dialect.name == "sqlite"
        self._writer = Writer(engine) if sqlite_engine else None
        self._held = None if sqlite_engine else postgres.Connections(
            engine, self._prepared, database.unit_connections(engine))

    def keys_for(self, key_id: str) -> Keyring:
        """The keyring, reloaded first if ``key_id`` is new (rotated while running)."""
        if key_id not in self.keyring.keks and self.refresh_keys is not None:
            self.refresh_keys()
        return self.keyring

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[SqlUnit]:
        """A transaction: commits on clean exit, rolls back on an exception."""
        if self._held is not None:
            async with self._held.unit() as transaction:
                unit = SqlUnit(self, transaction)
                yield unit
        else:
            assert self._writer is not None
            async with self._writer.unit() as (conn, driver):
                unit = SqlUnit(self, InlineStatements(conn, driver, self._prepared))
                yield unit
        self.cache.keep(unit.known)  # committed: what this unit read or wrote is current

    def known(self, owner: str) -> Draft | None:
        """The owner's draft as this process last committed or read it, if it is cached
        (under the active key); it may be stale: ``save_answer`` finds out."""
        found = self.cache.of(self.keyring.owner_hash(owner))
        if found is None or found[1].key_id != self.keyring.active:
            return None
        draft_id, entry = found
        return Draft(draft_id, owner, entry.version, entry.progress)

    async def save_answer(self, draft: Draft, update_id: int) -> Draft | None:
        """Claim the update and save the known draft in one transaction, if both are due.

        None, with nothing written, if the update was processed before or the stored
        draft moved on from ``draft.version``. On PostgreSQL this is one statement, so one
        round trip instead of four (BEGIN and claim, load, save, COMMIT).
        """
        entry = self.cache.get(draft.id)
        if entry is None or entry.version != draft.version or entry.key_id != self.keyring.active:
            return None
        if self._held is None:
            try:
                async with self.unit() as unit:
                    unit.adopt(draft.id, entry)
                    if not await unit.claim_update(update_id):
                        raise Conflict(f"update {update_id} was processed before")
                    return await unit.save_draft(draft)
            except Conflict:
                return None
        blob = _sealed(entry.data_key, draft)
        now = self.clock()
        values = {"update_id": update_id, "draft_id": draft.id, "expected": draft.version,
                  "new_version": draft.version + 1, "blob": blob, "now": now}
        if await self._held.alone("answer", values) != 1:
            return None
        saved = replace(draft, version=draft.version + 1)
        self.cache.keep({draft.id: replace(entry, version=saved.version, blob=blob,
                                           progress=draft.progress)})
        return saved

    async def close(self) -> None:
        """Finish the last commit and release the engine's connections."""
        if self._writer is not None:
            await self._writer.close()
        if self._held is not None:
            await self._held.close()
        await self.engine.dispose()


_guard = (_d.id == bindparam("draft_id")) & (_d.version == bindparam("expected"))
_attachment = select(attachments.c.content).where(
    (attachments.c.id == bindparam("attachment_id"))
    & (attachments.c.draft_id == bindparam("draft_id"))
)
_addenda = select(func.count()).where(
    addenda.c.reference == submissions.c.reference).scalar_subquery()
_mine = (
    select(submissions.c.reference, submissions.c.submitted_at, submissions.c.urgent,
           submissions.c.status, submissions.c.contact, submissions.c.contact_key_id,
           _addenda.label("addenda"))
    .where(submissions.c.owner_hash == bindparam("owner_hash"))
    .order_by(submissions.c.year, submissions.c.sequence)
)


class SqlUnit:
    """One transaction's view of the store; it never commits itself."""

    def __init__(self, store: SqlStore, sql: Statements) -> None:
        self._sql = sql
        self._store = store
        self._keyring = store.keyring
        self._keys: dict[str, tuple[str, bytes]] = {}  # draft id → (key id, data key)
        self.known: dict[str, Known] = {}  # for the store's cache once this unit committed

    async def claim_update(self, update_id: int) -> bool:
        """Record an update id; False if it was processed before (a re-delivery)."""
        params = {"update_id": update_id, "processed_at": self._store.clock()}
        return await self._sql.count("claim", params) == 1

    async def load_draft(self, owner: str) -> Draft | None:
        """The owner's draft, decrypted (or from the cache if unchanged), or None."""
        owner_hash = self._keyring.owner_hash(owner)
        rows = await self._sql.rows("load", {"owner_hash": owner_hash})
        if not rows:
            self._store.cache.drop_owner(owner_hash)  # deleted by another replica, perhaps
            return None
        draft_id, version, key_id, wrapped, blob = rows[0]
        cached = self._store.cache.get(draft_id)
        if cached is not None and cached.blob == blob and cached.key_id == key_id:
            data_key, progress = cached.data_key, cached.progress  # decrypted before
        else:
            data_key = self._unwrap(draft_id, key_id, wrapped)
            place = crypto.place("drafts", draft_id, "progress")
            progress = codec.loads(crypto.decrypt(data_key, blob, place))
        self._keys[draft_id] = (key_id, data_key)
        self.known[draft_id] = Known(owner_hash, version, blob, key_id, data_key, progress)
        return Draft(draft_id, owner, version, progress)

    def adopt(self, draft_id: str, entry: Known) -> None:
        """Use a cached draft's data key (its save then needs no read of the row)."""
        self._keys[draft_id] = (entry.key_id, entry.data_key)

    def new_draft(self, owner: str, progress: Progress) -> Draft:
        """A fresh, unsaved draft (version 0) with a new id."""
        draft_id = uuid.uuid4().hex
        self._keys[draft_id] = (self._keyring.active, crypto.new_key())
        return Draft(draft_id, owner, 0, progress)

    async def save_draft(self, draft: Draft) -> Draft:
        """Encrypt and store; raises Conflict if the stored version moved on."""
        if draft.version == 0 and draft.id not in self._keys:
            self._keys[draft.id] = (self._keyring.active, crypto.new_key())
        key_id, data_key = await self._data_key(draft.id, missing=Conflict)
        blob = _sealed(data_key, draft)
        now = self._store.clock()
        if draft.version == 0:
            count = await self._sql.count("create", self._row(draft, blob, now))
        else:
            params: dict[str, Any] = {"draft_id": draft.id, "expected": draft.version}
            params.update(new_version=draft.version + 1, blob=blob, now=now)
            statement = "save"
            if key_id != self._keyring.active:  # rotation: re-wrap under the active KEK
                params.update(new_key_id=self._keyring.active, wrapped=self._wrap(draft.id))
                statement = "save_rewrapped"
            count = await self._sql.count(statement, params)
        if count != 1:
            raise Conflict(f"draft {draft.id} changed since version {draft.version}")
        key_id, data_key = self._keys[draft.id]
        owner_hash = self._keyring.owner_hash(draft.owner)
        self.known[draft.id] = Known(owner_hash, draft.version + 1, blob, key_id, data_key,
                                     draft.progress)
        return replace(draft, version=draft.version + 1)

    async def delete_draft(self, owner: str) -> bool:
        """Erase the draft, its attachments (cascade) and its data key (crypto-shredding)."""
        owner_hash = self._keyring.owner_hash(owner)
        statement = delete(drafts).where(_d.owner_hash == owner_hash).returning(_d.id)
        conn = await self._core()
        deleted = (await conn.execute(statement)).scalars().all()
        for draft_id in deleted:
            self._forget(draft_id)
        return bool(deleted)

    async def remove_attachments(self, draft: Draft, attachment_ids: Sequence[str]) -> int:
        """Delete files of this draft; returns how many."""
        if not attachment_ids:
            return 0
        statement = delete(attachments).where(
            (attachments.c.draft_id == draft.id) & attachments.c.id.in_(list(attachment_ids)))
        conn = await self._core()
        return (await conn.execute(statement)).rowcount or 0

    async def add_attachment(self, draft: Draft, data: bytes, kind: str, mime: str) -> str:
        """Store a file encrypted with the draft's key; returns its id."""
        if draft.version == 0:
            raise NotFound("save the draft before attaching files to it")
        _, data_key = await self._data_key(draft.id, missing=NotFound)
        attachment_id = uuid.uuid4().hex
        meta = json.dumps({"kind": kind, "mime": mime, "size": len(data)}).encode()
        row = {
            "id": attachment_id,
            "draft_id": draft.id,
            "meta": crypto.encrypt(data_key, meta, _place(attachment_id, "meta")),
            "content": crypto.encrypt(data_key, data, _place(attachment_id, "content")),
            "created_at": self._store.clock(),
        }
        conn = await self._core()
        await conn.execute(attachments.insert(), [row])
        return attachment_id

    async def read_attachment(self, draft: Draft, attachment_id: str) -> bytes:
        """Decrypt a stored file of this draft."""
        _, data_key = await self._data_key(draft.id, missing=NotFound)
        params = {"attachment_id": attachment_id, "draft_id": draft.id}
        conn = await self._core()
        blob = (await conn.execute(_attachment, params)).scalar()
        if blob is None:
            raise NotFound(f"no attachment {attachment_id} in this draft")
        return crypto.decrypt(data_key, blob, _place(attachment_id, "content"))

    async def submit(
        self, draft: Draft, application: bytes, attachment_ids: Sequence[str], urgent: bool,
        repeat_key: str | None = None,
    ) -> str:
        """Seal the application and files for the secretariat, queue it, shred the draft."""
        parts = await self._take(draft, "application.json", application, attachment_ids)
        store, conn = self._store, await self._core()
        reference = await handoff.next_reference(conn, store.reference_prefix, store.clock().year)
        envelope = sealing.seal(reference, parts, store.recipients)
        await handoff.record(
            conn,
            envelope,
            owner_hash=self._keyring.owner_hash(draft.owner),
            urgent=urgent,
            submitted_at=store.clock(),
            repeat_hash=None if repeat_key is None else self._keyring.blind("repeat", repeat_key),
        )
        await self._announce(reference, draft, urgent)
        await conn.execute(delete(drafts).where(_d.id == draft.id))
        self._forget(draft.id)
        return reference

    async def add_addendum(
        self, draft: Draft, reference: str, addendum: bytes, attachment_ids: Sequence[str],
    ) -> int:
        """Seal a Nachtrag to the owner's application, queue the notice, shred the draft."""
        mine = select(submissions.c.owner_hash, submissions.c.status).where(
            submissions.c.reference == reference).with_for_update()
        conn = await self._core()
        row = (await conn.execute(mine)).first()
        if row is None or row.owner_hash != self._keyring.owner_hash(draft.owner):
            raise NotFound(f"no application {reference} of this person")
        if row.status in status.CLOSED:
            raise Closed(f"{reference} is {row.status}")
        parts = await self._take(draft, "addendum.json", addendum, attachment_ids)
        number = await handoff.next_addendum(conn, reference)
        sealed_to = handoff.addendum_reference(reference, number)
        envelope = sealing.seal(sealed_to, parts, self._store.recipients)
        now = self._store.clock()
        await handoff.record_addendum(conn, reference, number, envelope, now)
        await outbox.enqueue(conn, outbox.SECRETARIAT, "addendum", reference,
                             {"number": number}, now)
        await conn.execute(delete(drafts).where(_d.id == draft.id))
        self._forget(draft.id)
        return number

    async def _take(self, draft: Draft, name: str, document: bytes,
                    attachment_ids: Sequence[str]) -> dict[str, bytes]:
        """The parts to seal: the document and the draft's files, read in this transaction."""
        # Bump the version first: it locks the row, so a concurrent second submit waits
        # and then finds the version moved on (Conflict) instead of a half-gone draft.
        params = {"draft_id": draft.id, "expected": draft.version}
        bumped = update(drafts).where(_guard).values(version=_d.version + 1)
        conn = await self._core()
        if (await conn.execute(bumped, params)).rowcount != 1:
            raise Conflict(f"draft {draft.id} was submitted, deleted or changed")
        parts = {name: document}
        for attachment_id in attachment_ids:
            data = await self.read_attachment(draft, attachment_id)
            parts[f"attachments/{attachment_id}"] = data
        return parts

    async def _announce(self, reference: str, draft: Draft, urgent: bool) -> None:
        """Keep where to reach the person (encrypted) and queue the secretariat's notice."""
        now, progress, conn = self._store.clock(), draft.progress, await self._core()
        if progress.contact is not None:
            sealed = outbox.seal_contact(self._keyring, reference, progress.contact,
                                         progress.language)
            await conn.execute(update(submissions).where(
                submissions.c.reference == reference).values(
                    contact=sealed, contact_key_id=self._keyring.active))
        await outbox.enqueue(conn, outbox.SECRETARIAT, "new_application", reference,
                             {"urgent": urgent}, now)

    async def submissions_of(self, owner: str) -> list[Submission]:
        """The owner's submissions as the queue lists them, oldest first."""
        conn = await self._core()
        rows = await conn.execute(_mine, {"owner_hash": self._keyring.owner_hash(owner)})
        return [Submission(r.reference, r.submitted_at, r.urgent, r.status, addenda=r.addenda,
                           language=self._language(r.reference, r.contact, r.contact_key_id))
                for r in rows]

    def _language(self, reference: str, sealed: bytes | None, key_id: str | None) -> str | None:
        if sealed is None or key_id is None:
            return None
        self._know(key_id)
        try:
            return outbox.open_contact(self._keyring, reference, sealed, key_id)[1]
        except KeyMissing:  # a retired key: the language is a convenience, not a need
            return None

    async def _data_key(self, draft_id: str, missing: type[Exception]) -> tuple[str, bytes]:
        cached = self._keys.get(draft_id)
        if cached is not None:
            return cached
        rows = await self._sql.rows("key", {"draft_id": draft_id})
        if not rows:
            raise missing(f"no stored draft {draft_id}")
        key_id, wrapped = rows[0]
        self._unwrap(draft_id, key_id, wrapped)
        return self._keys[draft_id]

    async def _core(self) -> AsyncConnection:
        """The unit's connection for statements through SQLAlchemy."""
        return await self._sql.connection()

    def _know(self, key_id: str) -> None:
        self._keyring = self._store.keys_for(key_id)

    def _forget(self, draft_id: str) -> None:
        """Gone from the database: gone from memory too (crypto-shredding)."""
        self._keys.pop(draft_id, None)
        self.known.pop(draft_id, None)
        self._store.cache.drop(draft_id)

    def _unwrap(self, draft_id: str, key_id: str, wrapped: bytes) -> bytes:
        self._know(key_id)
        data_key = crypto.unwrap_key(self._keyring.kek(key_id), key_id, draft_id, wrapped)
        self._keys[draft_id] = (key_id, data_key)
        return data_key

    def _wrap(self, draft_id: str) -> bytes:
        data_key = self._keys[draft_id][1]
        active = self._keyring.active
        wrapped = crypto.wrap_key(self._keyring.kek(active), active, draft_id, data_key)
        self._keys[draft_id] = (active, data_key)
        return wrapped

    def _row(self, draft: Draft, blob: bytes, now: datetime) -> dict[str, Any]:
        key_id, data_key = self._keys[draft.id]
        return {
            "id": draft.id,
            "owner_hash": self._keyring.owner_hash(draft.owner),
            "version": 1,
            "key_id": key_id,
            "wrapped_key": crypto.wrap_key(self._keyring.kek(key_id), key_id, draft.id, data_key),
            "progress": blob,
            "created_at": now,
            "updated_at": now,
        }
