"""The one-trip SQLite driver connection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import database, sqlite
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
