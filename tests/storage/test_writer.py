"""The SQLite writer: units grouped into one commit, yet none confirmed before it is on disk."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from dialogs.progress import Progress
from storage import database, sqlite
from storage.keys import Keyring
from storage.models import processed_updates
from storage.ports import Conflict, Undone
from storage.sql import SqlStore
from storage.writer import NestedUnit, Writer
from tests.storage.backends import OFFICE, RECOVERY


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = database.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    await database.migrate(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def store(engine: AsyncEngine) -> AsyncIterator[SqlStore]:
    sql = SqlStore(engine, Keyring.generate(), [OFFICE.public_key(), RECOVERY.public_key()])
    try:
        yield sql
    finally:
        await sql.close()


@pytest.fixture
def commits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the driver's commits that reach the disk (those with writes)."""
    counted: list[int] = []
    original = sqlite.Connection.commit

    async def counting(self: sqlite.Connection) -> None:
        raw = self._connection
        if raw is not None and raw.in_transaction and raw.total_changes != self.changes:
            counted.append(raw.total_changes - self.changes)
        await original(self)

    monkeypatch.setattr(sqlite.Connection, "commit", counting)
    return counted


async def claimed(engine: AsyncEngine) -> set[int]:
    async with engine.connect() as conn:
        return set((await conn.execute(select(processed_updates.c.update_id))).scalars())


async def claim(store: SqlStore, update_id: int, fail: bool = False) -> bool:
    async with store.unit() as unit:
        claimed_now = await unit.claim_update(update_id)
        await asyncio.sleep(0)  # let the others queue up meanwhile
        if fail:
            raise Conflict("this unit fails after writing")
    return claimed_now


async def test_units_arriving_together_share_one_commit(
    store: SqlStore, engine: AsyncEngine, commits: list[int]
) -> None:
    assert all(await asyncio.gather(*(claim(store, n) for n in range(16))))
    assert await claimed(engine) == set(range(16))
    assert len(commits) < 16 and sum(commits) == 16


async def test_the_writer_keeps_one_connection_until_closed(
    store: SqlStore, engine: AsyncEngine
) -> None:
    for n in range(3):  # three groups, one after another
        assert await claim(store, n)
    pool = engine.pool
    assert pool.checkedout() == 1  # type: ignore[attr-defined]
    async with engine.connect() as conn:  # others read beside it
        assert len((await conn.execute(select(processed_updates))).all()) == 3
    await store.close()
    assert pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_failing_unit_leaves_its_group_alone(store: SqlStore, engine: AsyncEngine) -> None:
    results = await asyncio.gather(*(claim(store, n, fail=n == 3) for n in range(6)),
                                   return_exceptions=True)
    assert isinstance(results[3], Conflict)
    assert [r for n, r in enumerate(results) if n != 3] == [True] * 5
    assert await claimed(engine) == {0, 1, 2, 4, 5}


async def test_no_unit_ends_before_its_commit_is_on_disk(
    store: SqlStore, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_disk = asyncio.Event()
    release = asyncio.Event()
    original = sqlite.Connection.commit

    async def slow(self: sqlite.Connection) -> None:
        await release.wait()
        await original(self)
        on_disk.set()

    monkeypatch.setattr(sqlite.Connection, "commit", slow)
    finished: list[int] = []

    async def answer(n: int) -> None:
        await claim(store, n)
        assert on_disk.is_set(), "a unit ended before its group was committed"
        finished.append(n)

    tasks = [asyncio.create_task(answer(n)) for n in range(4)]
    await asyncio.sleep(0.05)
    assert finished == [] and await _count_elsewhere(engine) == 0
    release.set()
    await asyncio.gather(*tasks)
    assert sorted(finished) == [0, 1, 2, 3]


async def _count_elsewhere(engine: AsyncEngine) -> int:
    """What another connection sees (WAL: committed data only; no lock needed to read)."""
    path = engine.url.database
    assert path is not None
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM processed_updates").fetchone()[0])


async def test_a_failed_commit_fails_every_unit_of_the_group(
    store: SqlStore, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = sqlite.Connection.commit
    broken = True

    async def failing(self: sqlite.Connection) -> None:
        if broken and self._conn.in_transaction and self._conn.total_changes != self.changes:
            raise sqlite3.OperationalError("disk I/O error")
        await original(self)

    monkeypatch.setattr(sqlite.Connection, "commit", failing)
    results = await asyncio.gather(*(claim(store, n) for n in range(5)), return_exceptions=True)
    assert all(isinstance(r, sqlite3.OperationalError) for r in results)
    assert await claimed(engine) == set()
    broken = False  # the writer recovers: the next unit commits
    assert await claim(store, 99)
    assert await claimed(engine) == {99}


async def test_a_unit_inside_a_unit_is_refused_instead_of_hanging(store: SqlStore) -> None:
    async with store.unit():
        with pytest.raises(NestedUnit):
            async with store.unit():
                pass


async def test_a_cancelled_waiter_does_not_strand_its_group(
    store: SqlStore, engine: AsyncEngine
) -> None:
    entered = asyncio.Event()
    go_on = asyncio.Event()

    async def holder() -> None:
        async with store.unit() as unit:
            await unit.claim_update(1)
            entered.set()
            await go_on.wait()

    first = asyncio.create_task(holder())
    await entered.wait()
    waiter = asyncio.create_task(claim(store, 2))
    await asyncio.sleep(0.01)
    go_on.set()  # the holder leaves the group open for the waiter…
    await asyncio.sleep(0)
    waiter.cancel()  # …which never comes
    await asyncio.wait_for(first, 5)
    assert 1 in await claimed(engine)


async def test_units_wait_for_another_process_holding_the_lock(
    store: SqlStore, engine: AsyncEngine
) -> None:
    path = engine.url.database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO processed_updates VALUES (7, '2026-01-01 00:00:00.000000')")
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, other.execute, "COMMIT")
    started = loop.time()
    assert await claim(store, 8)
    assert loop.time() - started >= 0.15  # waited on the worker thread, not failed
    assert await claimed(engine) == {7, 8}
    other.close()


async def test_read_only_groups_need_no_disk_write(store: SqlStore, commits: list[int]) -> None:
    async with store.unit() as unit:
        assert await unit.load_draft("tg:1") is None
    assert commits == []


async def test_drafts_saved_concurrently_are_all_there(store: SqlStore) -> None:
    async def save(n: int) -> None:
        async with store.unit() as unit:
            await unit.save_draft(unit.new_draft(f"tg:{n}", Progress(f"q{n}")))

    await asyncio.gather(*(save(n) for n in range(20)))
    async with store.unit() as unit:
        cursors = [(await unit.load_draft(f"tg:{n}")) for n in range(20)]
    assert [d.progress.cursor for d in cursors if d is not None] == [f"q{n}" for n in range(20)]


CRASH = textwrap.dedent("""
    import asyncio, os, sys
    from datetime import UTC, datetime
    from storage import database
    from storage.keys import Keyring
    from storage.sql import SqlStore
    from tests.storage.backends import OFFICE

    async def main() -> None:
        engine = database.create_engine(sys.argv[1])
        store = SqlStore(engine, Keyring.generate(), [OFFICE.public_key()])
        async with store.unit() as unit:
            await unit.claim_update(1)
        print("confirmed", flush=True)
        unit_cm = store.unit()
        unit = await unit_cm.__aenter__()
        await unit.claim_update(2)  # never committed
        os._exit(0)  # a crash: no close, no commit, no clean-up

    asyncio.run(main())
""")


async def test_a_crash_keeps_what_was_confirmed_and_nothing_else(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    root = Path(__file__).resolve().parents[2]
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-c", CRASH, str(engine.url)], cwd=root,
        capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.strip() == "confirmed", done.stderr
    assert await claimed(engine) == {1}


async def test_frequent_statements_store_exactly_what_core_would(
    store: SqlStore, engine: AsyncEngine
) -> None:
    when = datetime(2026, 5, 1, 12, 30, 5, 123456, tzinfo=UTC)
    store.clock = lambda: when
    await claim(store, 5)  # inline, compiled once
    async with engine.begin() as conn:  # through SQLAlchemy Core
        await conn.execute(insert(processed_updates), [{"update_id": 6, "processed_at": when}])
        back = (await conn.execute(select(processed_updates.c.processed_at))).scalars().all()
    path = engine.url.database
    assert path is not None
    with sqlite3.connect(path) as raw:
        stored = raw.execute("SELECT processed_at, typeof(processed_at) FROM processed_updates "
                             "ORDER BY update_id").fetchall()
    assert stored[0] == stored[1] == ("2026-05-01 12:30:05.123456", "text")
    assert back == [when, when]


async def test_a_unit_whose_savepoint_cannot_be_kept_is_not_confirmed(
    store: SqlStore, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = sqlite.Connection.statement
    failures = iter([True])

    async def flaky(self: sqlite.Connection, sql: str) -> None:
        if sql == "RELEASE unit" and next(failures, False):
            raise sqlite3.OperationalError("disk I/O error")
        await original(self, sql)

    monkeypatch.setattr(sqlite.Connection, "statement", flaky)
    results = await asyncio.gather(*(claim(store, n) for n in range(3)), return_exceptions=True)
    assert any(isinstance(r, Undone) and isinstance(r.__cause__, sqlite3.OperationalError)
               for r in results)
    confirmed = {n for n, r in enumerate(results) if r is True}
    assert await claimed(engine) == confirmed  # whatever was confirmed is there, nothing else
    assert await claim(store, 9)  # and the writer goes on


async def test_a_unit_cancelled_mid_statement_is_undone_and_the_writer_goes_on(
    store: SqlStore, engine: AsyncEngine
) -> None:
    """The statement goes on running on the worker thread after the cancel; nothing of the
    unit may be committed, and nothing may touch the connection from the loop meanwhile."""
    from sqlalchemy import text

    started, go_on = threading.Event(), threading.Event()

    def blocking(n: int) -> int:
        started.set()
        go_on.wait(5)
        return n

    async def slow() -> None:
        async with store.unit() as unit:
            await unit.claim_update(1)
            conn = await unit._core()
            driver = (await conn.get_raw_connection()).driver_connection
            assert isinstance(driver, sqlite.Connection)
            await driver._execute(driver._conn.create_function, "blocking", 1, blocking)
            await conn.execute(text("INSERT INTO processed_updates "
                                          "VALUES (blocking(2), '2026-01-01 00:00:00.000000')"))

    task = asyncio.create_task(slow())
    await asyncio.to_thread(started.wait, 5)
    others = [asyncio.create_task(claim(store, n)) for n in (3, 4)]
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.sleep(0.05)
    go_on.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    results = await asyncio.gather(*others, return_exceptions=True)
    assert await claim(store, 5)  # the writer goes on
    committed = await claimed(engine)
    assert not committed & {1, 2}  # the cancelled unit left nothing
    assert {n for n, r in zip((3, 4), results, strict=True) if r is True} <= committed
    assert 5 in committed



@asynccontextmanager
async def writer_unit(store: SqlStore, meanwhile: Callable[[], object]
                      ) -> AsyncIterator[Callable[[int], Awaitable[bool]]]:
    """A unit of the store's writer with ``meanwhile``; yields a claim of an update id."""
    assert store._writer is not None
    async with store._writer.unit(meanwhile) as (_, driver):
        async def claim_update(update_id: int) -> bool:
            values = {"update_id": update_id, "processed_at": datetime.now(UTC)}
            return (await driver.run(store._prepared["claim"], values))[0] == 1

        yield claim_update


@pytest.mark.parametrize("units", [1, 3])
async def test_meanwhile_runs_while_the_commit_is_on_its_way_to_the_disk(
    store: SqlStore, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, units: int
) -> None:
    """Each unit's ``meanwhile`` (the bot renders its reply there) runs after its group's
    COMMIT was handed to the worker thread; a unit is confirmed only once that returned."""
    begun, finish = threading.Event(), threading.Event()
    released: list[bool] = []  # False: the COMMIT waited in vain for a meanwhile to run
    trip = sqlite.Connection._trip

    async def held(self: sqlite.Connection, function: Callable[[], object], *,
                   handed: bool = False) -> object:
        def flushing() -> object:
            begun.set()
            released.append(finish.wait(5))
            return function()

        return await trip(self, flushing if handed else function, handed=handed)

    monkeypatch.setattr(sqlite.Connection, "_trip", held)
    began: list[bool] = []

    def meanwhile() -> None:  # blocks the loop's thread: only a COMMIT queued before can begin
        began.append(begun.wait(5))
        finish.set()

    async def one(update_id: int) -> None:
        async with writer_unit(store, meanwhile) as claim_update:
            assert await claim_update(update_id)
            await asyncio.sleep(0)  # let the others join the group

    await asyncio.gather(*(one(7 + n) for n in range(units)))
    assert began == [True] * units and released == [True]
    assert await claimed(engine) == {7 + n for n in range(units)}


async def test_meanwhile_is_skipped_when_the_unit_fails(store: SqlStore, engine: AsyncEngine
                                                        ) -> None:
    ran: list[int] = []
    with pytest.raises(Conflict):
        async with writer_unit(store, lambda: ran.append(1)) as claim_update:
            await claim_update(8)
            raise Conflict("the unit fails")
    async with writer_unit(store, lambda: ran.append(2)) as claim_update:
        await claim_update(9)
    assert ran == [2] and await claimed(engine) == {9}


async def test_a_failing_meanwhile_still_waits_for_the_commit(store: SqlStore,
                                                              engine: AsyncEngine) -> None:
    """The unit's writes were handed over: they are committed, and the error comes after."""

    def broken() -> None:
        raise ValueError("rendering failed")

    with pytest.raises(ValueError, match="rendering failed"):
        async with writer_unit(store, broken) as claim_update:
            await claim_update(10)
    assert await claimed(engine) == {10}
    assert await claim(store, 11)  # the writer goes on


async def bare(writer: Writer, update_id: int, *, write: bool, fail: bool,
               interrupted: bool = False) -> None:
    """A unit without a savepoint that claims ``update_id`` (if ``write``), then may fail;
    ``interrupted``: its INSERT fails the way that makes SQLite roll back the transaction."""
    async with writer.unit(savepoint=False) as (_, driver):
        await asyncio.sleep(0)  # let the others queue up meanwhile
        if interrupted:
            driver._conn.set_progress_handler(lambda: 1, 1)  # SQLITE_INTERRUPT
        try:
            if write:
                await driver.statement(f"INSERT INTO processed_updates VALUES ({update_id}, "
                                       "'2026-01-01 00:00:00.000000')")
        finally:
            driver._conn.set_progress_handler(None, 1)
        if fail:
            raise Conflict("this unit fails")


async def test_a_unit_without_savepoint_that_failed_before_writing_leaves_its_group_alone(
    store: SqlStore, engine: AsyncEngine
) -> None:
    assert store._writer is not None
    results = await asyncio.gather(claim(store, 1), bare(store._writer, 2, write=False, fail=True),
                                   claim(store, 3), return_exceptions=True)
    assert results[0] is True and isinstance(results[1], Conflict) and results[2] is True
    assert await claimed(engine) == {1, 3}


async def test_a_unit_without_savepoint_that_failed_after_writing_fails_its_group(
    store: SqlStore, engine: AsyncEngine
) -> None:
    """Its write cannot be undone alone: no unit of its group is confirmed or committed
    (the unit that waited behind it runs in the next group)."""
    assert store._writer is not None
    results = await asyncio.gather(claim(store, 1), bare(store._writer, 2, write=True, fail=True),
                                   claim(store, 3), return_exceptions=True)
    assert isinstance(results[0], Undone) and isinstance(results[0].__cause__, Conflict)
    assert isinstance(results[1], Conflict) and results[2] is True
    assert await claimed(engine) == {3}
    await bare(store._writer, 4, write=True, fail=False)  # the writer goes on
    assert await claimed(engine) == {3, 4}


async def test_a_unit_without_savepoint_whose_error_rolled_back_the_transaction_fails_its_group(
    store: SqlStore, engine: AsyncEngine
) -> None:
    """An interrupt (like an I/O error or a full disk) rolls back the whole transaction
    without changing the count of written rows: the units before it are not confirmed."""
    assert store._writer is not None
    results = await asyncio.gather(
        claim(store, 1), bare(store._writer, 2, write=True, fail=False, interrupted=True),
        claim(store, 3), return_exceptions=True)
    assert isinstance(results[0], Undone)
    assert isinstance(results[1], sqlite3.OperationalError)
    confirmed = {n for n, r in zip((1, 2, 3), results, strict=True) if r is True}
    assert confirmed == {3} and await claimed(engine) == confirmed


async def test_the_others_of_a_cancelled_unit_that_wrote_are_undone_not_cancelled(
    store: SqlStore, engine: AsyncEngine
) -> None:
    assert store._writer is not None
    writer = store._writer
    wrote = asyncio.Event()

    async def cancelled() -> None:
        async with writer.unit(savepoint=False) as (_, driver):
            await driver.statement("INSERT INTO processed_updates VALUES (2, "
                                   "'2026-01-01 00:00:00.000000')")
            wrote.set()
            await asyncio.sleep(5)

    first = asyncio.create_task(claim(store, 1))
    victim = asyncio.create_task(cancelled())
    await wrote.wait()
    victim.cancel()
    result = await asyncio.gather(first, return_exceptions=True)
    assert isinstance(result[0], Undone) and not first.cancelled()
    with pytest.raises(asyncio.CancelledError):
        await victim
    assert await claimed(engine) == set()
    assert await claim(store, 4)  # the writer goes on
