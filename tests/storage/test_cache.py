"""The decrypted-draft cache: only committed drafts, only while the stored bytes are the same."""

from __future__ import annotations

import pytest

from dialogs import codec
from dialogs.progress import Progress
from storage.cache import DraftCache
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
    other = replica(sql)
    async with other.unit() as unit:
        await unit.save_draft(Draft(draft.id, "tg:1", draft.version, Progress("elsewhere")))
    await other.close()
    async with sql.unit() as unit:
        loaded = await unit.load_draft("tg:1")
    assert loaded is not None and loaded.progress.cursor == "elsewhere" and len(decoded) == 1


async def test_deleted_drafts_leave_the_cache(sql: SqlStore) -> None:
    draft = await saved(sql, "tg:1", "q")
    assert sql.cache.get(draft.id) is not None
    async with sql.unit() as unit:
        assert await unit.delete_draft("tg:1")
    assert sql.cache.get(draft.id) is None and len(sql.cache) == 0


def test_the_cache_is_bounded() -> None:
    cache = DraftCache(size=3)
    for n in range(5):
        cache.keep({f"d{n}": (b"blob", "k", b"key", Progress("q"))})
    cache.keep({"d2": (b"blob", "k", b"key", Progress("q"))})  # used again: kept longest
    cache.keep({"d5": (b"blob", "k", b"key", Progress("q"))})
    assert [n for n in range(6) if cache.get(f"d{n}") is not None] == [2, 4, 5]
