"""The one-trip SQLite driver connection."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import database, sqlite
from storage.compiled import Prepared
from storage.models import processed_updates


@pytest.fixture
async def connection(tmp_path: Path) -> AsyncIterator[sqlite.Connection]:
    conn = await sqlite.connect(str(tmp_path / "raw.db"), timeout=5)
    try:
        yield conn
    finally:
        await conn.close()


async def test_cursor_returns_everything_from_one_trip(connection: sqlite.Connection) -> None:
    cursor = connection.cursor()
    await cursor.execute("CREATE TABLE t (n INTEGER)")
    await cursor.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(5)])
    assert cursor.rowcount == 5
    await cursor.execute("SELECT n FROM t ORDER BY n")
    assert [d[0] for d in cursor.description] == ["n"]
    assert await cursor.fetchone() == (0,)
    assert await cursor.fetchmany(2) == [(1,), (2,)]
    assert await cursor.fetchall() == [(3,), (4,)]
    await cursor.execute("UPDATE t SET n = n + 1 WHERE n > ?", (2,))
    assert (cursor.rowcount, await cursor.fetchall()) == (2, [])


async def test_begin_travels_with_the_first_statement(connection: sqlite.Connection) -> None:
    connection.begin()
    assert connection.transaction_open() and not connection.in_transaction
    await connection.cursor().execute("CREATE TABLE t (n INTEGER)")
    assert connection.in_transaction
    await connection.rollback()
    assert not connection.transaction_open()
    await connection.cursor().execute("SELECT count(*) FROM sqlite_master")


async def _updates(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(processed_updates))).scalar_one()
        )


async def test_an_abandoned_transaction_is_rolled_back_and_unlocks(tmp_path: Path) -> None:
    engine = database.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}", pool_size=1)
    try:
        await database.migrate(engine)
        row = {"update_id": 1, "processed_at": datetime.now(UTC)}
        conn = await engine.connect()
        await conn.execute(insert(processed_updates), [row])
        await conn.close()  # no commit
        async with engine.begin() as conn:  # would wait out the busy timeout if still locked
            await conn.execute(insert(processed_updates), [{**row, "update_id": 2}])
        assert await _updates(engine) == 1
    finally:
        await engine.dispose()


def test_prepared_statements_convert_parameters_like_core() -> None:
    from sqlalchemy.dialects import sqlite as dialect

    statement = dialect.insert(processed_updates).on_conflict_do_nothing()
    prepared = Prepared(statement, dialect.dialect(), ["update_id", "processed_at"])
    when = datetime(2026, 5, 1, 12, 0, 1, 5, tzinfo=UTC)
    assert prepared.sql.startswith("INSERT INTO processed_updates (update_id, processed_at)")
    assert prepared.parameters({"processed_at": when, "update_id": 9}) == (
        9, "2026-05-01 12:00:01.000005")  # SQLite's DATETIME text, as Core would bind it


async def test_inline_statements_run_only_inside_a_write_transaction(
    connection: sqlite.Connection,
) -> None:
    from sqlalchemy import text
    from sqlalchemy.dialects import sqlite as dialect

    prepared = Prepared(text("SELECT 1"), dialect.dialect())
    with pytest.raises(RuntimeError):
        await connection.run(prepared, {})
    connection.begin()
    await connection.begin_now()  # the lock is free: taken on this thread, no trip
    assert connection.in_transaction and await connection.run(prepared, {}) == (-1, [(1,)])
    await connection.commit()
    assert not connection.transaction_open()


async def test_begin_inside_an_open_transaction_adds_no_second_begin(
    connection: sqlite.Connection,
) -> None:
    connection.begin()
    await connection.begin_now()
    connection.begin()  # SQLAlchemy joining the writer's transaction
    assert not connection.begin_pending
    await connection.cursor().execute("CREATE TABLE t (n INTEGER)")
    await connection.commit()


async def test_a_cancelled_trip_keeps_the_loop_thread_off_the_connection(
    connection: sqlite.Connection,
) -> None:
    """A trip whose task was cancelled still runs on the worker thread; until it has, nothing
    runs inline and the transaction counts as open (so a reset rolls it back, in order)."""
    from sqlalchemy import text
    from sqlalchemy.dialects import sqlite as dialect

    await connection.cursor().execute("CREATE TABLE t (n INTEGER)")
    started, go_on = threading.Event(), threading.Event()

    def blocking(_n: int) -> int:
        started.set()
        go_on.wait(5)
        return 1

    await connection._execute(connection._conn.create_function, "blocking", 1, blocking)
    connection.begin()
    slow = asyncio.create_task(connection.cursor().execute(
        "INSERT INTO t SELECT blocking(1)"))
    await asyncio.to_thread(started.wait, 5)
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow
    assert not connection.idle() and connection.transaction_open()
    prepared = Prepared(text("SELECT count(*) FROM t"), dialect.dialect())
    counted = asyncio.create_task(connection.run(prepared, {}))  # queued behind, not inline
    undone = asyncio.create_task(connection.rollback())  # also queued, not skipped
    await asyncio.sleep(0.05)
    assert not counted.done() and not undone.done()
    go_on.set()
    assert (await counted)[1] == [(1,)]  # it saw the cancelled statement's row
    await undone  # and then the transaction that statement began was rolled back
    assert connection.idle() and not connection.transaction_open()
    assert (await (await connection.cursor().execute("SELECT count(*) FROM t")).fetchall()
            == [(0,)])


async def test_a_statement_cancelled_while_waiting_for_the_lock_leaves_it_free(
    tmp_path: Path,
) -> None:
    """Like a health probe timing out while the writer commits: the BEGIN IMMEDIATE still
    happens on the worker thread later, and the pool's reset must roll it back then."""
    path = tmp_path / "db.sqlite"
    engine = database.create_engine(f"sqlite:///{path}", pool_size=1)
    try:
        await database.migrate(engine)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")

        async def probe() -> None:
            async with engine.connect() as conn:
                await conn.execute(select(1))

        task = asyncio.create_task(probe())
        await asyncio.sleep(0.2)  # waiting on the busy timeout, in the worker thread
        task.cancel()
        await asyncio.sleep(0.1)  # the task gives up; its BEGIN still waits in the thread
        holder.execute("COMMIT")
        holder.close()
        with pytest.raises(asyncio.CancelledError):
            await task
        other = sqlite3.connect(path, isolation_level=None, timeout=10)
        other.execute("BEGIN IMMEDIATE")  # "database is locked" if a stale write lock is held
        other.execute("ROLLBACK")
        other.close()
        assert await _updates(engine) == 0
    finally:
        await engine.dispose()
