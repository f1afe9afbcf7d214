"""The SQL store: drafts encrypted per draft, hand-off sealed, one transaction per unit.

On SQLite every unit runs on the process's one writer (storage/writer.py), which commits
units in groups; on PostgreSQL each unit is its own transaction on one of a few held
connections, run on asyncpg directly (storage/postgres.py). Either way the frequent
statements run on the driver's connection (storage/statements.py). What a unit does is
storage/unit.py. Recently used drafts stay decrypted in a small cache (storage/cache.py),
which also lets an answer to a known draft skip the load (``save_answer``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from storage import database, postgres, statements
from storage.cache import DraftCache
from storage.keys import Keyring
from storage.ports import Conflict, Draft, T
from storage.sealing import RecipientKey
from storage.statements import InlineStatements
from storage.unit import SqlUnit, sealed_progress
from storage.writer import Writer

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


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

    async def save_answer(self, draft: Draft, update_id: int, meanwhile: Callable[[], T]
                          ) -> tuple[Draft, T] | None:
        """Claim the update and save the known draft in one transaction, if both are due.

        None, with nothing written, if the update was processed before or the stored
        draft moved on from ``draft.version``. On PostgreSQL this is one statement, so one
        round trip instead of four (BEGIN and claim, load, save, COMMIT). ``meanwhile``
        runs while the disk (or the server) works: one at a time, the reply is rendered in
        the time the process would otherwise sleep.
        """
        entry = self.cache.get(draft.id)
        if entry is None or entry.version != draft.version or entry.key_id != self.keyring.active:
            return None
        blob = sealed_progress(entry.data_key, draft)
        values = {"update_id": update_id, "draft_id": draft.id, "expected": draft.version,
                  "new_version": draft.version + 1, "blob": blob, "now": self.clock()}
        if self._writer is not None:
            made: list[T] = []
            try:
                async with self._writer.unit(lambda: made.append(meanwhile()),
                                             savepoint=False) as (_, driver):
                    claimed, _ = await driver.run(self._prepared["answer_claim"], values)
                    if claimed != 1 or (await driver.run(self._prepared["answer_save"],
                                                         values))[0] != 1:
                        raise Conflict("processed before, or the draft moved on")
            except Conflict:
                return None
            result = made[0]
        else:
            assert self._held is not None
            if self._held.busy():  # other units' work fills the round trip: render after it
                if await self._held.alone("answer", values) != 1:
                    return None
                result = meanwhile()
            else:
                answering = asyncio.ensure_future(self._held.alone("answer", values))
                try:
                    await asyncio.sleep(0)  # its first step sends the statement
                    result = meanwhile()
                finally:
                    rows = await answering  # (also when meanwhile failed: none left behind)
                if rows != 1:
                    return None
        saved = replace(draft, version=draft.version + 1)
        self.cache.keep({draft.id: replace(entry, version=saved.version, blob=blob,
                                           progress=draft.progress)})
        return saved, result

    async def close(self) -> None:
        """Finish the last commit and release the engine's connections."""
        if self._writer is not None:
            await self._writer.close()
        if self._held is not None:
            await self._held.close()
        await self.engine.dispose()
