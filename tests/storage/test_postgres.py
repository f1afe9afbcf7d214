"""PostgreSQL units of work: held connections, BEGIN with the claim, rollback per unit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.exc import DBAPIError

from dialogs.progress import Progress
from storage import database, postgres, statements
from storage.keys import Keyring
from storage.models import drafts, processed_updates
from storage.ports import Conflict, Draft
from storage.sql import SqlStore
from tests.storage.backends import OFFICE, needs_pg

WHEN = datetime(2026, 11, 25, 14, 0, 0, 123456, tzinfo=UTC)
PREPARED = statements.prepare(asyncpg_dialect.dialect())


@pytest.mark.parametrize(("value", "expected"), [
    (7, "7"),
    (-2**62, f"({-2**62})"),  # in parentheses: never "--", never -(N::BIGINT)
    (WHEN, "'2026-11-25T14:00:00.123456+00:00'"),
    (WHEN.astimezone(timezone(timedelta(hours=1))), "'2026-11-25T15:00:00.123456+01:00'"),
    (True, None),  # written in, it would be 'True': a bound parameter instead
    ("7", None),
    (b"\x00", None),
    (WHEN.replace(tzinfo=None), None),
    (None, None),
])
def test_only_plain_numbers_and_aware_times_are_written_in(value: object,
                                                           expected: str | None) -> None:
    assert postgres.literal(value) == expected


class Sneaky(int):
    def __str__(self) -> str:
        return "1); DROP TABLE drafts; --"

    def __repr__(self) -> str:
        return str(self)


def test_a_subclass_cannot_write_itself_in() -> None:
    assert postgres.literal(Sneaky(5)) == "5"


def test_the_claim_travels_with_begin_as_text() -> None:
    sql = postgres.inline(PREPARED["claim"], {"update_id": 42, "processed_at": WHEN})
    assert sql == ("INSERT INTO processed_updates (update_id, processed_at) VALUES "
                   "(42::BIGINT, '2026-11-25T14:00:00.123456+00:00'::TIMESTAMP WITH TIME ZONE) "
                   "ON CONFLICT DO NOTHING")


def test_statements_with_other_values_stay_prepared() -> None:
    assert postgres.inline(PREPARED["load"], {"owner_hash": b"\x01" * 32}) is None


@pytest.mark.parametrize(("status", "rows"), [("INSERT 0 1", 1), ("INSERT 0 0", 0),
                                              ("UPDATE 1", 1), ("DELETE 12", 12)])
def test_row_counts_from_command_status(status: str, rows: int) -> None:
    assert postgres.count(status) == rows



@pytest.fixture
async def store(pg_url: str, keyring: Keyring) -> AsyncIterator[SqlStore]:
    engine = database.create_engine(pg_url)
    async with engine.begin() as conn:
        for table in ("processed_updates", "drafts"):
            await conn.execute(text(f"DELETE FROM {table}"))
    sql = SqlStore(engine, keyring, [OFFICE.public_key()])
    try:
        yield sql
    finally:
        await sql.close()


async def claimed(store: SqlStore) -> set[int]:
    async with store.engine.connect() as conn:
        return set((await conn.execute(select(processed_updates.c.update_id))).scalars())


async def draft_count(store: SqlStore) -> int:
    async with store.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(drafts))).scalar_one())


async def step(store: SqlStore, update_id: int, owner: str, fail: bool = False) -> bool:
    async with store.unit() as unit:
        if not await unit.claim_update(update_id):
            return False
        draft = await unit.load_draft(owner) or unit.new_draft(owner, Progress("q"))
        await unit.save_draft(draft)
        if fail:
            raise RuntimeError("handler failed")
    return True


@needs_pg
async def test_a_failing_unit_rolls_back_only_itself(store: SqlStore) -> None:
    results = await asyncio.gather(*(step(store, n, f"tg:{n}", fail=n == 3)
                                     for n in range(1, 9)), return_exceptions=True)
    assert [isinstance(r, RuntimeError) for r in results] == [n == 3 for n in range(1, 9)]
    assert await claimed(store) == {1, 2, 4, 5, 6, 7, 8}
    assert await draft_count(store) == 7
    assert await step(store, 3, "tg:3")  # the failed update can run again


@needs_pg
async def test_a_redelivered_update_runs_once_even_at_the_same_time(store: SqlStore) -> None:
    results = await asyncio.gather(*(step(store, 77, "tg:1") for _ in range(4)))
    assert sorted(results) == [False, False, False, True]
    assert not await step(store, 77, "tg:1")
    async with store.unit() as unit:
        draft = await unit.load_draft("tg:1")
    assert draft is not None and draft.version == 1


@needs_pg
async def test_a_stale_save_still_conflicts_and_takes_its_claim_back(store: SqlStore) -> None:
    await step(store, 1, "tg:1")
    async with store.unit() as unit:
        first = await unit.load_draft("tg:1")
    assert first is not None
    await step(store, 2, "tg:1")
    with pytest.raises(Conflict):
        async with store.unit() as unit:
            assert await unit.claim_update(3)
            await unit.save_draft(first)
    assert await claimed(store) == {1, 2}


@needs_pg
async def test_a_unit_that_begins_with_sqlalchemy_is_one_transaction(store: SqlStore) -> None:
    await step(store, 1, "tg:1")
    with pytest.raises(RuntimeError):
        async with store.unit() as unit:
            assert await unit.delete_draft("tg:1")  # the first statement, through SQLAlchemy
            assert await unit.claim_update(2)
            raise RuntimeError("handler failed")
    assert await draft_count(store) == 1 and await claimed(store) == {1}


@needs_pg
async def test_a_unit_without_statements_commits_nothing(store: SqlStore) -> None:
    async with store.unit() as unit:
        unit.new_draft("tg:1", Progress("q"))
    assert await step(store, 1, "tg:1")


@needs_pg
async def test_a_unit_cancelled_mid_statement_leaves_nothing_and_its_connection(
    store: SqlStore,
) -> None:
    started = asyncio.Event()
    seen: list[Any] = []

    async def slow() -> None:
        async with store.unit() as unit:
            assert await unit.claim_update(1)
            conn = await unit._core()
            seen.append((await conn.get_raw_connection()).driver_connection)
            started.set()
            await conn.execute(text("SELECT pg_sleep(5)"))

    task = asyncio.create_task(slow())
    await started.wait()
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen[0].is_closed()  # state in doubt: closed, never handed to another unit
    assert await claimed(store) == set()
    assert await step(store, 2, "tg:1")  # the store goes on, on a fresh connection
    assert await claimed(store) == {2}


@needs_pg
async def test_units_beyond_the_held_connections_wait_for_one(pg_url: str,
                                                               keyring: Keyring) -> None:
    engine = database.create_engine(pg_url, pool_size=2 + database.SPARE)  # 2 for units
    store = SqlStore(engine, keyring, [OFFICE.public_key()])
    drivers: set[int] = set()
    busy, most = 0, 0

    async def unit(n: int) -> Draft:
        nonlocal busy, most
        async with store.unit() as uow:
            conn = await uow._core()
            drivers.add(id((await conn.get_raw_connection()).driver_connection))
            busy += 1
            most = max(most, busy)
            await asyncio.sleep(0.01)
            busy -= 1
            return await uow.save_draft(uow.new_draft(f"tg:b{n}", Progress("q")))

    try:
        saved = await asyncio.gather(*(unit(n) for n in range(8)))
        async with engine.connect() as conn:  # a spare connection is still there
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await store.close()
    assert len(saved) == 8 and most == 2 and len(drivers) == 2


@needs_pg
async def test_a_server_gone_away_is_a_passing_fault_and_the_store_reconnects(
    store: SqlStore,
) -> None:
    held: set[int] = set()

    async def remember(update_id: int) -> None:
        async with store.unit() as unit:
            assert await unit.claim_update(update_id)
            held.add((await (await unit._core()).execute(text("SELECT pg_backend_pid()")))
                     .scalar_one())
            await asyncio.sleep(0.01)  # both at once: two held connections

    await asyncio.gather(remember(1), remember(2))
    async with store.engine.connect() as admin:  # what a server restart does to them
        for pid in held:
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    with pytest.raises(ConnectionError):  # passing: bot.retries handles the update again
        await step(store, 3, "tg:3")
    assert await step(store, 3, "tg:3")  # every stale connection was let go at once
    assert await claimed(store) == {1, 2, 3}


@needs_pg
async def test_a_failed_statement_caught_inside_a_unit_does_not_pass_for_a_commit(
    store: SqlStore,
) -> None:
    with pytest.raises(RuntimeError, match="rolled back"):
        async with store.unit() as unit:
            assert await unit.claim_update(1)
            conn = await unit._core()
            with pytest.raises(DBAPIError):  # the statement's error, caught by the caller
                await conn.execute(text("SELECT 1/0"))
    assert await claimed(store) == set()
    assert await step(store, 1, "tg:1")



@needs_pg
async def test_a_quick_answer_whose_server_went_away_is_a_passing_fault(store: SqlStore) -> None:
    assert await step(store, 1, "tg:1")
    async with store.unit() as unit:
        pid = (await (await unit._core()).execute(text("SELECT pg_backend_pid()"))).scalar_one()
    async with store.engine.connect() as admin:
        await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    draft = store.known("tg:1")
    assert draft is not None
    with pytest.raises(ConnectionError):  # passing: bot.retries handles the update again
        await store.save_answer(replace(draft, progress=Progress("next")), 2, lambda: None)
    assert await claimed(store) == {1}  # nothing of it was kept
    saved = await store.save_answer(replace(draft, progress=Progress("next")), 2, lambda: None)
    assert saved is not None and saved[0].version == draft.version + 1
    assert await claimed(store) == {1, 2}


@needs_pg
@pytest.mark.parametrize("others", [False, True])
async def test_a_quick_answer_renders_during_its_round_trip_only_when_alone(
    store: SqlStore, others: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alone, the reply is rendered while the statement is with the server; with other
    units under way their work fills that time, and the reply is rendered after it."""
    assert await step(store, 1, "tg:1")
    draft = store.known("tg:1")
    assert draft is not None
    answered: list[bool] = []
    alone = postgres.Connections.alone

    async def timed(self: postgres.Connections, name: str, values: Any) -> int:
        rows = await alone(self, name, values)
        answered.append(True)
        return rows

    monkeypatch.setattr(postgres.Connections, "alone", timed)
    rendered_after: list[bool] = []

    def render() -> str:
        rendered_after.append(bool(answered))
        return "reply"

    release = asyncio.Event()

    async def busy() -> None:
        async with store.unit() as unit:
            await unit.claim_update(99)
            await release.wait()

    other = asyncio.create_task(busy()) if others else None
    await asyncio.sleep(0.05)
    saved = await store.save_answer(replace(draft, progress=Progress("next")), 2, render)
    release.set()
    if other is not None:
        await other
    assert saved is not None and saved[1] == "reply"
    assert rendered_after == [others]
    assert 2 in await claimed(store)
