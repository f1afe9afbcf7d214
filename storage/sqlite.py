"""The SQLite driver connection: aiosqlite with one thread hop per statement.

SQLAlchemy's aiosqlite adapter makes four trips to aiosqlite's worker thread per
statement (open cursor, execute, fetch, close); each costs a loop wake-up (~75 µs),
which dominated a unit of work. This cursor runs the whole statement in one trip and
hands back description, row count and rows together; ``BEGIN IMMEDIATE`` travels with
the first statement of a transaction. Everything else (the thread, commit, rollback,
close) is aiosqlite's own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite

Outcome = tuple[Any, int, int | None, list[Any]]


def _run(connection: Connection, sql: str, parameters: Any, many: bool) -> Outcome:
    """Execute and fetch in the worker thread."""
    cursor = connection._conn.cursor()
    try:
        if connection.begin_pending:
            # IMMEDIATE takes the write lock up front: units queue on the busy timeout
            # instead of failing when a read transaction later wants to write.
            cursor.execute("BEGIN IMMEDIATE")
            connection.begin_pending = False
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
        work = partial(_run, connection, sql, parameters, many)
        outcome: Outcome = await connection._execute(work)  # type: ignore[no-untyped-call]
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
    """aiosqlite's connection with the one-trip cursor and a deferred BEGIN."""

    begin_pending = False

    def begin(self) -> None:
        """Begin a write transaction with the next statement."""
        self.begin_pending = True

    def transaction_open(self) -> bool:
        """Whether a transaction is open or about to be."""
        raw = self._connection
        return self.begin_pending or (raw is not None and raw.in_transaction)

    def cursor(self) -> Cursor:  # type: ignore[override]  # plain object, not a coroutine
        return Cursor(self)

    async def commit(self) -> None:
        self.begin_pending = False
        await super().commit()

    async def rollback(self) -> None:
        self.begin_pending = False
        await super().rollback()


async def connect(database: str, *, timeout: float) -> Connection:
    """Open a connection in autocommit mode: transactions are begun explicitly."""
    connector = partial(sqlite3.connect, database, timeout=timeout, isolation_level=None)
    connection = Connection(connector, iter_chunk_size=64)
    await connection
    return connection
