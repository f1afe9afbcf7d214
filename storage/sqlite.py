"""The SQLite driver connection: aiosqlite, with statements that skip the thread when safe.

SQLAlchemy's aiosqlite adapter makes four trips to aiosqlite's worker thread per
statement (open cursor, execute, fetch, close); each costs a loop wake-up (~75 µs).
This cursor runs a statement in one trip and hands back description, row count and
rows together; ``BEGIN IMMEDIATE`` travels with the first statement of a transaction.

Inside a write transaction nothing can block on a lock any more, so the store's
frequent, small statements (``Prepared``) and its savepoints may run right on the event
loop's thread: a few microseconds instead of a trip. They do so only while the worker
thread has nothing of this connection queued or running (``idle``: every trip is
counted when queued and when finished), so the sqlite3 connection is never used by two
threads at once and statements keep their order; otherwise they take the trip too.
What may wait or write to disk always goes to the worker thread: ``BEGIN IMMEDIATE``
when another connection holds the lock, ``COMMIT`` with writes (the fsync), and every
statement issued through SQLAlchemy.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

import aiosqlite

from storage.compiled import Prepared

Outcome = tuple[Any, int, int | None, list[Any]]
HANDOFF = 0.0005  # seconds the loop waits at most for the worker to begin a COMMIT


def _run(connection: Connection, sql: str, parameters: Any, many: bool, begin: bool) -> Outcome:
    """Execute and fetch (in the worker thread, or inline when that is idle)."""
    raw = connection._conn
    cursor = raw.cursor()
    try:
        if begin and not raw.in_transaction:  # (a transaction we began is a write one)
            # IMMEDIATE takes the write lock up front: units queue on the busy timeout
            # instead of failing when a read transaction later wants to write.
            cursor.execute("BEGIN IMMEDIATE")
            connection.changes = raw.total_changes
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class Cursor:
    """An aiosqlite-shaped cursor whose results arrive with the execute call."""

    arraysize = 1

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        await self._trip(sql, parameters, False)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Cursor:
        await self._trip(sql, parameters, True)
        return self

    async def _trip(self, sql: str, parameters: Any, many: bool) -> None:
        connection = self._connection
        # The flag is taken here, on the loop's thread: the worker thread never writes it.
        begin, connection.begin_pending = connection.begin_pending, False
        work = partial(_run, connection, sql, parameters, many, begin)
        outcome: Outcome = await connection._execute(work)
        self.description, self.rowcount, self.lastrowid, self._rows = outcome

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = self.arraysize if size is None else size
        taken, self._rows = self._rows[:count], self._rows[count:]
        return taken

    async def fetchall(self) -> list[Any]:
        taken, self._rows = self._rows, []
        return taken

    async def close(self) -> None:
        self._rows = []


class Connection(aiosqlite.Connection):
    """aiosqlite's connection with the one-trip cursor, a deferred BEGIN and inline statements."""

    begin_pending = False
    changes = 0  # total_changes when the transaction began: a commit without writes is free
    busy_ms = 0

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        # Trips queued (counted on the loop's thread) and finished (counted on the worker
        # thread); each counter has one writer, so no lock is needed to compare them.
        self._queued = 0
        self._finished = 0

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await self._trip(partial(fn, *args, **kwargs))

    async def _trip(self, function: Callable[[], Any], *, handed: bool = False) -> Any:
        """Run ``function`` on the worker thread (aiosqlite's queue), counted.

        ``handed``: this thread waits, without the GIL, until the worker has begun. Else the
        worker, once woken, waits for the GIL until this thread next sleeps, so a COMMIT
        would reach the disk only after whatever this thread does next (rendering a reply).
        """
        started = threading.Lock() if handed else None
        if started is not None:
            started.acquire()

        def counted() -> Any:
            if started is not None:
                started.release()
            try:
                return function()
            finally:
                self._finished += 1

        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        future = asyncio.get_running_loop().create_future()
        self._queued += 1
        self._tx.put_nowait((future, counted))
        if started is not None:
            started.acquire(timeout=HANDOFF)  # bounded: a busy machine must not stall the loop
        return await future

    def idle(self) -> bool:
        """Whether nothing of this connection is queued or running on the worker thread.

        A trip whose awaiting task was cancelled still runs there later: until it has,
        the loop's thread must not touch the sqlite3 connection.
        """
        return self._queued == self._finished

    def written(self) -> int | None:
        """Rows written by this connection so far; None while a trip may be writing more."""
        raw = self._connection
        return raw.total_changes if raw is not None and self.idle() else None

    def begin(self) -> None:
        """Begin a write transaction with the next statement (unless one is open already)."""
        if not self._open_now():
            self.begin_pending = True

    def transaction_open(self) -> bool:
        """Whether a transaction is open or may be (a trip still under way may open one)."""
        return self.begin_pending or not self.idle() or self._open_now()

    def _open_now(self) -> bool:
        raw = self._connection
        return self.idle() and raw is not None and raw.in_transaction

    async def begin_now(self) -> None:
        """Take the write lock now: on this thread if it is free, else wait on the worker."""
        if not self.begin_pending:
            return
        if self.idle():
            raw = self._conn
            raw.execute("PRAGMA busy_timeout = 0")
            try:
                raw.execute("BEGIN IMMEDIATE")
                self.begin_pending = False
                self.changes = raw.total_changes
                return
            except sqlite3.OperationalError:  # busy: another connection writes
                pass
            finally:
                raw.execute(f"PRAGMA busy_timeout = {self.busy_ms}")
        await self.statement("SELECT 1")  # carries the pending BEGIN IMMEDIATE, waits there

    async def run(self, statement: Prepared, values: Mapping[str, Any]) -> tuple[int, list[Any]]:
        """Execute inside the open write transaction: (row count, rows)."""
        parameters = statement.parameters(values)
        if self.begin_pending or (self.idle() and not self._conn.in_transaction):
            raise RuntimeError("prepared statements need an open write transaction")
        if self.idle():  # nothing can wait for a lock now: no trip needed
            outcome = _run(self, statement.sql, parameters, False, False)
        else:
            work = partial(_run, self, statement.sql, parameters, False, False)
            outcome = await self._execute(work)
        return outcome[1], outcome[3]

    async def statement(self, sql: str) -> None:
        """A statement without results (SAVEPOINT, RELEASE …), inline if the thread is idle."""
        begin, self.begin_pending = self.begin_pending, False
        if self.idle() and not begin:
            _run(self, sql, (), False, False)
        else:
            await self._execute(partial(_run, self, sql, (), False, begin))

    def cursor(self) -> Cursor:  # type: ignore[override]  # plain object, not a coroutine
        return Cursor(self)

    async def commit(self) -> None:
        self.begin_pending = False
        raw = self._connection
        if raw is not None and self.idle():
            if not raw.in_transaction:
                return  # nothing begun: no trip
            if raw.total_changes == self.changes:
                raw.commit()  # nothing written: no fsync, no trip
                return
            await self._trip(raw.commit, handed=True)  # the flush starts now
            return
        await super().commit()

    async def rollback(self) -> None:
        self.begin_pending = False
        raw = self._connection
        if raw is not None and self.idle() and not raw.in_transaction:
            return
        await super().rollback()  # after any trip still under way: it may have begun one


async def connect(database: str, *, timeout: float) -> Connection:
    """Open a connection in autocommit mode: transactions are begun explicitly."""
    # check_same_thread is off because statements may run on the loop's thread; they do
    # only while the worker thread has nothing of this connection (Connection.idle).
    connector = partial(sqlite3.connect, database, timeout=timeout, isolation_level=None,
                        check_same_thread=False)
    connection = Connection(connector, iter_chunk_size=64)
    connection.busy_ms = int(timeout * 1000)
    await connection
    return connection
