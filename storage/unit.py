"""One unit of work on the SQL store: the drafts, their files, and the hand-off.

It never commits itself: the store (storage/sql.py) opens it inside a transaction and
ends that. The frequent statements go through ``Statements`` (storage/statements.py),
everything rarer through SQLAlchemy on the same connection.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from dialogs import codec
from dialogs.progress import Progress
from storage import crypto, handoff, outbox, sealing, status
from storage.cache import Known
from storage.keys import Keyring
from storage.models import attachments, drafts, submissions
from storage.ports import Closed, Conflict, Draft, NotFound, Submission
from storage.statements import Statements

if TYPE_CHECKING:
    from storage.sql import SqlStore

_d = drafts.c


def sealed_progress(data_key: bytes, draft: Draft) -> bytes:
    """The draft's progress, encrypted and bound to its row."""
    place = crypto.place("drafts", draft.id, "progress")
    return crypto.encrypt(data_key, codec.dumps(draft.progress), place)


def _place(attachment_id: str, field: str) -> bytes:
    return crypto.place("attachments", attachment_id, field)


_guard = (_d.id == bindparam("draft_id")) & (_d.version == bindparam("expected"))
_attachment = select(attachments.c.content).where(
    (attachments.c.id == bindparam("attachment_id"))
    & (attachments.c.draft_id == bindparam("draft_id"))
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
        blob = sealed_progress(data_key, draft)
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
        await handoff.announce(conn, self._keyring, reference, draft.progress, urgent,
                               store.clock())
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

    async def submissions_of(self, owner: str) -> list[Submission]:
        """The owner's submissions as the queue lists them, oldest first."""
        return await handoff.owned(await self._core(), self._keyring.owner_hash(owner),
                                   self._keys_for)

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

    def _keys_for(self, key_id: str) -> Keyring:
        self._know(key_id)
        return self._keyring

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
