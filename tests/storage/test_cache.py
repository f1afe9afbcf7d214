"""The decrypted-draft cache: only committed drafts, only while the stored bytes are the same."""

from __future__ import annotations

import asyncio

import pytest

from dialogs import codec
from dialogs.progress import Progress
from storage.cache import DraftCache, Known
from storage.ports import Draft
from storage.sql import SqlStore
from tests.storage.backends import replica


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how often stored progress was decrypted and decoded."""
    calls: list[int] = []
    original = codec.loads

    def counting(data: bytes) -> Progress:
        calls.append(len(data))
        return original(data)

    monkeypatch.setattr(codec, "loads", counting)
    return calls


async def saved(store: SqlStore, owner: str, cursor: str) -> Draft:
    async with store.unit() as unit:
        return await unit.save_draft(unit.new_draft(owner, Progress(cursor)))


async def test_a_committed_draft_is_not_decrypted_again(sql: SqlStore, decoded: list[int]) -> None:
    draft = await saved(sql, "tg:1", "q")
    for _ in range(3):
        async with sql.unit() as unit:
            loaded = await unit.load_draft("tg:1")
    assert loaded == draft and decoded == []


async def test_a_unit_that_failed_leaves_no_trace_in_the_cache(
    sql: SqlStore, decoded: list[int]
) -> None:
    draft = await saved(sql, "tg:1", "q")
    with pytest.raises(RuntimeError):
        async with sql.unit() as unit:
            await unit.save_draft(Draft(draft.id, "tg:1", draft.version, Progress("never")))
            raise RuntimeError("the handler failed after saving")
    async with sql.unit() as unit:
        loaded = await unit.load_draft("tg:1")
    assert loaded == draft  # the stored version, not the rolled-back one


async def test_a_draft_changed_elsewhere_is_read_from_the_database(
    sql: SqlStore, decoded: list[int]
) -> None:
    draft = await saved(sql, "tg:1", "q")
    async with replica(sql) as other, other.unit() as unit:
        await unit.save_draft(Draft(draft.id, "tg:1", draft.version, Progress("elsewhere")))
    async with sql.unit() as unit:
        loaded = await unit.load_draft("tg:1")
    assert loaded is not None and loaded.progress.cursor == "elsewhere" and len(decoded) == 1


async def test_deleted_drafts_leave_the_cache(sql: SqlStore) -> None:
    draft = await saved(sql, "tg:1", "q")
    assert sql.cache.get(draft.id) is not None
    async with sql.unit() as unit:
        assert await unit.delete_draft("tg:1")
    assert sql.cache.get(draft.id) is None and len(sql.cache) == 0


async def test_a_draft_deleted_elsewhere_leaves_this_cache_once_found_gone(sql: SqlStore) -> None:
    draft = await saved(sql, "tg:1", "q")
    async with replica(sql) as other, other.unit() as unit:
        assert await unit.delete_draft("tg:1")
    assert sql.known("tg:1") == draft  # not seen yet: the next answer finds out
    assert await sql.save_answer(Draft(draft.id, "tg:1", 1, Progress("gone")), 3003,
                                 lambda: None) is None
    async with sql.unit() as unit:
        assert await unit.load_draft("tg:1") is None
    assert sql.cache.get(draft.id) is None and sql.known("tg:1") is None


async def test_a_draft_replaced_elsewhere_replaces_the_old_one_here(sql: SqlStore) -> None:
    old = await saved(sql, "tg:1", "q")
    async with replica(sql) as other, other.unit() as unit:
        assert await unit.delete_draft("tg:1")
        new = await unit.save_draft(unit.new_draft("tg:1", Progress("fresh")))
    async with sql.unit() as unit:
        assert await unit.load_draft("tg:1") == new
    assert sql.cache.get(old.id) is None and sql.known("tg:1") == new


def entry(n: int) -> Known:
    return Known(f"owner {n}".encode(), 1, b"blob", "k", b"key", Progress("q"))


async def test_a_stale_known_draft_is_found_out_and_the_answer_not_claimed(sql: SqlStore) -> None:
    draft = await saved(sql, "tg:1", "q")
    async with replica(sql) as other, other.unit() as unit:
        await unit.save_draft(Draft(draft.id, "tg:1", draft.version, Progress("elsewhere")))
    known = sql.known("tg:1")
    assert known == draft  # this process has not seen the other's save
    assert await sql.save_answer(Draft(draft.id, "tg:1", 1, Progress("stale")), 3001,
                                 lambda: None) is None
    async with sql.unit() as unit:
        loaded = await unit.load_draft("tg:1")
        assert await unit.claim_update(3001) is True
    assert loaded is not None and loaded.progress.cursor == "elsewhere"
    assert sql.known("tg:1") == loaded


async def test_a_quick_answer_waits_for_a_save_under_way_and_then_sees_it(sql: SqlStore) -> None:
    draft = await saved(sql, "tg:1", "q")
    async with replica(sql) as other:
        async with other.unit() as unit:
            await unit.save_draft(Draft(draft.id, "tg:1", 1, Progress("first")))  # row locked
            quick = asyncio.create_task(
                sql.save_answer(Draft(draft.id, "tg:1", 1, Progress("second")), 3002,
                                lambda: None))
            await asyncio.sleep(0.2)
            assert not quick.done()  # waits for the other transaction
        assert await quick is None
    async with sql.unit() as unit:
        loaded = await unit.load_draft("tg:1")
        assert await unit.claim_update(3002) is True
    assert loaded is not None and loaded.progress.cursor == "first"


async def test_a_draft_under_a_retired_key_is_not_answered_quickly(sql: SqlStore) -> None:
    await saved(sql, "tg:1", "q")
    sql.keyring = sql.keyring.rotated()
    assert sql.known("tg:1") is None  # the full unit re-wraps its key


async def test_the_owner_index_follows_the_cache(sql: SqlStore) -> None:
    draft = await saved(sql, "tg:1", "q")
    assert sql.known("tg:1") == draft
    async with sql.unit() as unit:
        assert await unit.delete_draft("tg:1")
    assert sql.known("tg:1") is None


def test_the_cache_is_bounded() -> None:
    cache = DraftCache(size=3)
    for n in range(5):
        cache.keep({f"d{n}": entry(n)})
    cache.keep({"d2": entry(2)})  # used again: kept longest
    cache.keep({"d5": entry(5)})
    assert [n for n in range(6) if cache.get(f"d{n}") is not None] == [2, 4, 5]
    assert [n for n in range(6) if cache.of(f"owner {n}".encode()) is not None] == [2, 4, 5]
