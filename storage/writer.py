"""One writer per process for SQLite: units of work run one at a time, commits are grouped.

SQLite lets one connection write at a time, and with ``synchronous=FULL`` each commit
waits for the disk. Instead of many connections queueing on the file lock (slow, and
unfair under load), every unit of work of this process runs on one connection, each in
its own savepoint. Units that arrive while one runs, or while a commit is on the disk,
join the same transaction, which commits once for all of them: one fsync per group.

Nothing is confirmed early: a unit's ``async with`` block ends only after the group's
COMMIT returned. A unit that fails is rolled back to its savepoint and leaves the others
alone (a unit without a savepoint, only if it wrote nothing; else the others fail with
``Undone``); a COMMIT that fails fails every unit of its group (none of them was
confirmed). Work that needs a unit's outcome but not yet its commit (rendering the reply)
can come as ``meanwhile``: it runs while the disk flushes, instead of after.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import database, sqlite
from storage.ports import StoreClosed, Undone

log = logging.getLogger(__name__)
MAX_GROUP = 64  # units per commit at most: bounds the wait of the first unit of a group


class NestedUnit(RuntimeError):
    """A unit of work was opened inside another one of the same task (it would deadlock)."""


@dataclass(eq=False)
class _Group:
    """One open transaction and the units that joined it."""

    conn: AsyncConnection
    driver: sqlite.Connection
    done: asyncio.Future[None]
    flushing: asyncio.Event = field(default_factory=asyncio.Event)  # the group is ending
    members: int = 0
    broken: BaseException | None = field(default=None)


class Writer:
    """Runs units of work one at a time on one connection and commits them in groups."""

    def __init__(self, engine: AsyncEngine, max_group: int = MAX_GROUP) -> None:
        self._engine = engine
        self._max = max_group
        self._lock = asyncio.Lock()
        self._queued = 0
        self._holder: asyncio.Task[object] | None = None
        self._group: _Group | None = None
        self._kept: tuple[AsyncConnection, sqlite.Connection] | None = None  # between groups
        self._closed = False
        self._finishing: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def unit(self, meanwhile: Callable[[], object] | None = None, *,
                   savepoint: bool = True
                   ) -> AsyncIterator[tuple[AsyncConnection, sqlite.Connection]]:
        """A savepoint in the current group; returns after the group's commit.

        ``meanwhile`` runs once the block ended cleanly and the group began to end (as a
        rule its COMMIT was handed to the worker thread), before the group's end is known;
        what it made is of use only if the unit then returns. ``savepoint=False`` is for a
        unit whose statements never leave anything half-done (two statements fewer): if
        it fails after it wrote, nothing can be undone but the whole group.
        """
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            raise NestedUnit("a unit of work is already open in this task")
        if self._closed:
            raise StoreClosed("the store is closed")
        self._queued += 1
        try:
            await self._lock.acquire()
        except BaseException:  # cancelled while waiting: the group it was to join must end
            self._queued -= 1
            self._spawn(self._adopt())
            raise
        self._queued -= 1
        self._holder = task
        try:
            group = self._group or await self._open()
        except BaseException:
            self._holder = None
            self._lock.release()
            raise
        # Without a savepoint, a failure is undone alone only if nothing was written (None
        # while a trip runs: then it ends the group).
        written = None if savepoint else group.driver.written()
        try:
            if savepoint:
                await group.driver.statement("SAVEPOINT unit")
        except BaseException as exc:  # the connection is broken: so is the group
            self._holder = None
            group.broken = exc
            self._next(group)
            await asyncio.wait([group.done])
            raise
        try:
            yield group.conn, group.driver
        except BaseException as exc:
            self._holder = None
            if savepoint:
                await asyncio.shield(self._undo(group))
            else:
                self._give_up(group, exc, written)
            await asyncio.wait([group.done])  # the group is over: committed or given up
            raise
        self._holder = None
        await self._keep(group, release=savepoint)
        try:
            if meanwhile is not None:
                await group.flushing.wait()
                meanwhile()
        finally:
            await asyncio.shield(group.done)  # raises if the group's COMMIT failed

    async def _open(self) -> _Group:
        # The transaction is the driver's own: SQLAlchemy's (begun by a unit's first Core
        # statement, if any) joins it and is merely ended at the end. The connection stays
        # checked out between groups: one writer, one connection.
        kept, self._kept = self._kept, None
        if kept is not None and (kept[0].in_transaction() or kept[1].transaction_open()):
            await kept[0].close()  # used outside a unit meanwhile: not this group's to join
            kept = None
        conn, driver = kept or await self._connect()
        try:
            driver.begin()
            await driver.begin_now()
        except BaseException:
            await conn.close()
            raise
        done = asyncio.get_running_loop().create_future()
        self._group = _Group(conn, driver, done)
        return self._group

    async def _connect(self) -> tuple[AsyncConnection, sqlite.Connection]:
        conn, driver = await database.checked_out(self._engine)
        assert isinstance(driver, sqlite.Connection)
        return conn, driver

    async def _keep(self, group: _Group, release: bool) -> None:
        group.members += 1  # counted first: if RELEASE fails, the group fails, this unit too
        try:  # inline (no suspension) unless a trip is under way; then after it
            if release:
                await group.driver.statement("RELEASE unit")
        except BaseException as exc:  # a cancellation included: the RELEASE may or may not
            group.broken = exc  # have happened, so the whole group is given up
        self._next(group)

    async def _undo(self, group: _Group) -> None:
        try:  # after any statement of the unit still running on the worker thread
            await group.driver.statement("ROLLBACK TO unit")
            await group.driver.statement("RELEASE unit")
        except BaseException as exc:
            group.broken = exc
        self._next(group)

    def _give_up(self, group: _Group, error: BaseException, written: int | None) -> None:
        """A unit without a savepoint failed: if it may have written, or its error rolled
        back the transaction (SQLite does on I/O errors, interrupts, a full disk), the
        group fails too."""
        driver = group.driver
        if written is None or driver.written() != written or not driver.transaction_open():
            group.broken = error
        self._next(group)

    def _next(self, group: _Group) -> None:
        """Let the next unit join the group, or commit it."""
        if group.broken is None and self._queued and group.members < self._max:
            self._lock.release()  # the next unit joins this group
            return
        self._spawn(self._finish(group))

    def _spawn(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(work)
        self._finishing.add(task)
        task.add_done_callback(self._finishing.discard)

    async def _adopt(self) -> None:
        """Finish a group left open for a unit that never came."""
        await self._lock.acquire()
        if self._group is None:
            self._lock.release()
        else:
            await self._finish(self._group)

    async def _finish(self, group: _Group) -> None:
        """Commit the group (the lock stays taken until the disk has it)."""
        if group.broken is None and self._queued and group.members < self._max:
            self._lock.release()  # more units arrived meanwhile: they join, the last commits
            return
        error = group.broken
        # The units' ``meanwhile`` run as soon as the COMMIT below was handed to the worker
        # thread (its first step, before any of them resumes): all of them while it flushes.
        group.flushing.set()
        try:
            if error is None and group.members:
                if not group.driver.transaction_open():  # rolled back by an error meanwhile
                    raise Undone("the group's transaction was rolled back before its commit")
                await group.driver.commit()
            elif error is None:
                await group.driver.rollback()
            if error is None and group.conn.in_transaction():
                await group.conn.commit()  # SQLAlchemy's view ends too (no trip: nothing open)
        except BaseException as exc:
            error = exc
        try:
            if error is None:
                self._kept = group.conn, group.driver  # the next group's
            else:
                log.error("group commit failed: %s", type(error).__name__)
                await self._discard(group)
                await group.conn.close()  # a fresh one from the pool for the next group
        finally:
            self._group = None
            self._lock.release()
            if error is not None and group.members:
                group.done.set_exception(_undone(error) if error is group.broken else error)
            else:
                group.done.set_result(None)

    async def _discard(self, group: _Group) -> None:
        try:
            await group.driver.rollback()
        except BaseException as exc:  # the connection is beyond use: drop it from the pool
            log.error("rollback after a failed commit failed: %s", type(exc).__name__)
            await group.conn.invalidate()

    async def close(self) -> None:
        """Refuse new units, let those under way or waiting end, then give the connection
        back."""
        self._closed = True
        while True:
            if self._finishing:  # commits under way (they hold the lock until the disk has it)
                await asyncio.gather(*self._finishing, return_exceptions=True)
            await self._lock.acquire()
            if self._group is not None:  # the lock came between two units of a group
                await self._finish(self._group)  # lets the waiting join, or commits
            elif self._queued or self._finishing:  # units still waiting go first
                self._lock.release()
                await asyncio.sleep(0)
            else:
                break
        try:
            if self._kept is not None:
                (conn, _), self._kept = self._kept, None
                await conn.close()
        finally:
            self._lock.release()


def _undone(cause: BaseException) -> Undone:
    """What the other units of a group see when one unit's failure ended it."""
    undone = Undone(f"another unit of the group failed ({type(cause).__name__})")
    undone.__cause__ = cause
    return undone
