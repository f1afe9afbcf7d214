"""PostgreSQL units of work: held connections, transactions run on asyncpg directly.

Measured per unit (claim, load, save) with 16 in flight, the bot's own CPU went mostly
to SQLAlchemy around the statements rather than to the statements: a pool checkout and
checkin (~55 µs), and per statement a trip through the greenlet layer and the execute
machinery. So units here

- run on a few connections the store keeps checked out of the engine's pool (a free one
  is taken without a checkout; at most ``size`` at a time, the rest wait);
- issue BEGIN, COMMIT and the frequent statements (storage/statements.py) on the asyncpg
  connection itself, prepared once per connection by asyncpg's statement cache; BEGIN
  travels with the unit's first statement (the claim: its parameters, an integer and a
  timestamp, are written into the text), saving a round trip;
- hand the rare statements (files, hand-off, deletion) to SQLAlchemy on the same
  connection, checked out in AUTOCOMMIT mode so that SQLAlchemy never begins or ends a
  transaction of its own: they run inside the one begun here;
- run the answer to a draft the process knows, claim and save together, as one
  statement without BEGIN and COMMIT (``alone``): the server commits it on its own.

Durability is unchanged: a unit's block ends only after its COMMIT returned (with
``synchronous_commit`` as the server has it: on). Units in flight at the same time run on
their own connections and the server lets their commits share WAL flushes. A unit that
fails is rolled back alone; a connection whose state is in doubt (a failed ROLLBACK or
COMMIT) is closed, never used again. The server or a connection gone away is a passing
fault (``ConnectionLost``: the update is tried again), and every idle held connection is
let go with it, as SQLAlchemy's pool would; a deadlock or serialization failure is a
``Conflict`` (the intake runs the answer again). Waiting for a connection is bounded.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import database
from storage.compiled import Prepared
from storage.ports import Conflict, StoreClosed

_PLACEHOLDER = re.compile(r"\$(\d+)")
T = TypeVar("T")
WAIT = 30.0  # seconds a unit waits for a held connection (SQLAlchemy's pool_timeout)


class ConnectionLost(ConnectionError):
    """The server or the connection went away during a unit: trying again may succeed."""


async def _driven(call: Awaitable[T]) -> T:
    """A driver call, its errors as the store's where they are not the unit's own fault."""
    try:
        return await call
    except Exception as exc:
        raise _translated(exc) or exc from exc


def _translated(exc: Exception) -> Exception | None:
    """The store's error for a driver error that is not the unit's own fault, else None."""
    from asyncpg import exceptions as pg  # type: ignore[import-untyped]  # only on a failure

    if isinstance(exc, OSError | pg.InterfaceError | pg.InternalClientError
                  | pg.PostgresConnectionError | pg.OperatorInterventionError):
        return ConnectionLost(type(exc).__name__)
    if isinstance(exc, pg.TransactionRollbackError):  # deadlock, serialization failure
        return Conflict(type(exc).__name__)
    return None


class Driver(Protocol):
    """What the store uses of an asyncpg connection (asyncpg ships no type information)."""

    async def execute(self, query: str, *args: Any) -> str: ...

    async def fetch(self, query: str, *args: Any) -> list[Any]: ...


def literal(value: object) -> str | None:
    """``value`` as an SQL literal, for the kinds that need no escaping; else None."""
    # Subclasses could render themselves otherwise: the base types' own methods are used.
    if isinstance(value, int) and not isinstance(value, bool):
        text = int.__repr__(value)
        return f"({text})" if value < 0 else text  # never "--", never "-N::BIGINT"
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return f"'{datetime.isoformat(value)}'"  # digits, '-', ':', '.', '+' and 'T' only
    return None


def inline(statement: Prepared, values: Mapping[str, Any]) -> str | None:
    """The statement with its parameters written in, or None if one cannot be."""
    rendered = [literal(value) for value in statement.parameters(values)]
    if any(text is None for text in rendered):
        return None
    return _PLACEHOLDER.sub(lambda match: str(rendered[int(match[1]) - 1]), statement.sql)


def count(status: str) -> int:
    """The row count of a command status such as ``INSERT 0 1`` or ``UPDATE 1``."""
    return int(status.rpartition(" ")[2])


class Transaction:
    """One unit's transaction, begun with its first statement; runs the frequent ones."""

    def __init__(self, conn: AsyncConnection, driver: Driver,
                 prepared: Mapping[str, Prepared]) -> None:
        self._conn = conn
        self._driver = driver
        self._prepared = prepared
        self.begun = False  # BEGIN sent (or on its way): end it with COMMIT or ROLLBACK

    async def rows(self, name: str, values: Mapping[str, Any]) -> list[Any]:
        await self._begin()
        statement = self._prepared[name]
        return await _driven(self._driver.fetch(statement.sql, *statement.parameters(values)))

    async def count(self, name: str, values: Mapping[str, Any]) -> int:
        statement = self._prepared[name]
        if not self.begun:
            text = inline(statement, values)
            if text is not None:  # one round trip for both (simple query protocol)
                self.begun = True
                return count(await self._execute(f"BEGIN; {text}"))
            await self._begin()
        return count(await self._execute(statement.sql, *statement.parameters(values)))

    async def _execute(self, query: str, *args: Any) -> str:
        return await _driven(self._driver.execute(query, *args))

    async def connection(self) -> AsyncConnection:
        """The connection for statements through SQLAlchemy, inside this transaction."""
        await self._begin()
        return self._conn

    async def _begin(self) -> None:
        if not self.begun:
            self.begun = True
            await self._execute("BEGIN")

    async def commit(self) -> None:
        # A statement that failed inside the transaction (its error caught by the caller)
        # leaves it aborted: the server answers COMMIT with ROLLBACK. Nothing was kept.
        if self.begun and await self._execute("COMMIT") != "COMMIT":
            raise RuntimeError("the transaction was rolled back: a statement in it failed")
        if self._conn.in_transaction():  # SQLAlchemy's own bookkeeping (no I/O here)
            await self._conn.commit()

    async def rollback(self) -> bool:
        """Roll back; False if that failed (the connection must not be used again)."""
        try:
            if self.begun:
                await self._driver.execute("ROLLBACK")
            if self._conn.in_transaction():
                await self._conn.rollback()
        except Exception:
            return False
        return True


class Connections:
    """Up to ``size`` connections kept for units of work, in AUTOCOMMIT mode."""

    def __init__(self, engine: AsyncEngine, prepared: Mapping[str, Prepared],
                 size: int) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._prepared = prepared
        self._slots = asyncio.Semaphore(size)
        self._idle: list[tuple[AsyncConnection, Driver]] = []
        self._closed = False
        self._running = 0  # units begun (waiting for a slot included), not yet ended
        self._quiet = asyncio.Event()
        self._quiet.set()

    def busy(self) -> bool:
        """Whether units are under way (or waiting for a slot)."""
        return self._running > 0

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Transaction]:
        """A transaction: committed when the block ends cleanly, else rolled back."""
        async with self._slot(), self._held() as transaction:
            yield transaction

    async def alone(self, name: str, values: Mapping[str, Any]) -> int:
        """One frequent statement as a transaction of its own: its row count, once committed.

        On any error the connection is dropped (its state is not worth finding out).
        """
        statement = self._prepared[name]
        async with self._slot():
            conn, driver = await self._take()
            try:
                status = await _driven(driver.execute(statement.sql,
                                                      *statement.parameters(values)))
            except BaseException as exc:
                if isinstance(exc, ConnectionLost):
                    await asyncio.shield(self._let_go())
                await asyncio.shield(self._drop(conn))
                raise
            await self._give_back(conn, driver)
            return count(status)

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        """One of the ``size`` places for a unit; waiting for it is bounded."""
        if self._closed:
            raise StoreClosed("the store is closed")
        self._running += 1
        self._quiet.clear()
        try:
            if self._slots.locked():  # (a free slot is taken at once: no timer to set)
                async with asyncio.timeout(WAIT):  # all held connections stuck: passing
                    await self._slots.acquire()
            else:
                await self._slots.acquire()
            try:
                yield
            finally:
                self._slots.release()
        finally:
            self._running -= 1
            if not self._running:
                self._quiet.set()

    @asynccontextmanager
    async def _held(self) -> AsyncIterator[Transaction]:
        conn, driver = await self._take()
        transaction = Transaction(conn, driver, self._prepared)
        clean = False  # the connection is idle, outside any transaction
        try:
            try:
                yield transaction
            except BaseException as exc:
                if isinstance(exc, ConnectionLost):  # the others are likely gone too
                    await asyncio.shield(self._let_go())
                clean = await asyncio.shield(transaction.rollback())
                raise
            await transaction.commit()
            clean = True
        finally:
            await asyncio.shield(self._give_back(conn, driver) if clean else self._drop(conn))

    async def _take(self) -> tuple[AsyncConnection, Driver]:
        """An idle held connection, else a new one from the engine's pool."""
        if self._idle:
            return self._idle.pop()
        conn, driver = await database.checked_out(self._engine)
        assert driver is not None  # a live pooled connection
        return conn, driver

    async def _give_back(self, conn: AsyncConnection, driver: Driver) -> None:
        """Keep a clean connection for the next unit; close it once the store is closed."""
        if self._closed:
            await conn.close()
        else:
            self._idle.append((conn, driver))

    async def _let_go(self) -> None:
        """Give every idle held connection back, invalidated: the next units connect anew."""
        while self._idle:
            await self._drop(self._idle.pop()[0])

    @staticmethod
    async def _drop(conn: AsyncConnection) -> None:
        try:
            await conn.invalidate()
        finally:
            await conn.close()

    async def close(self) -> None:
        """Refuse new units, wait for those under way, then hand the connections back."""
        self._closed = True
        await self._quiet.wait()
        while self._idle:
            await self._idle.pop()[0].close()
