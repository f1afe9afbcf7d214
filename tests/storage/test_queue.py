"""The secretariat's queue: order, lookup, opening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dialogs.progress import Progress
from storage import queue
from storage.ports import NotFound
from storage.sealing import NotRecipient, PrivateKey
from storage.sql import SqlStore
from tests.storage.backends import OFFICE, RECOVERY, replica

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Ticking:
    """A clock that moves one minute per reading."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


async def submit_all(store: SqlStore, urgent: list[bool]) -> list[str]:
    """Submit one draft per flag, in order; their references."""
    references = []
    for n, flag in enumerate(urgent):
        async with store.unit() as unit:
            draft = await unit.save_draft(unit.new_draft(f"tg:{n}", Progress("q")))
            references.append(await unit.submit(draft, f'{{"n": {n}}}'.encode(), [], flag))
    return references


async def test_urgent_first_then_oldest_first(sql: SqlStore) -> None:
    store = replica(sql, reference_prefix="KÖL", clock=Ticking())
    refs = await submit_all(store, [False, True, False, True])
    await store.close()
    assert refs[0] == "KÖL-2026-0001"
    listed = await queue.list_submissions(sql.engine)
    assert [s.reference for s in listed] == [refs[1], refs[3], refs[0], refs[2]]
    assert [s.urgent for s in listed] == [True, True, False, False]
    assert {s.status for s in listed} == {"new"}
    assert all(s.submitted_at.tzinfo is not None and s.submitted_at > START for s in listed)


async def test_fetch_and_open(sql: SqlStore) -> None:
    (reference,) = await submit_all(sql, [True])
    entry, envelope = await queue.fetch_submission(sql.engine, reference)
    assert entry.reference == reference and entry.urgent
    for key in (OFFICE, RECOVERY):
        assert queue.open_submission(envelope, key) == {"application.json": b'{"n": 0}'}
    with pytest.raises(NotRecipient):
        queue.open_submission(envelope, PrivateKey.generate())


async def test_unknown_reference_is_not_found(sql: SqlStore) -> None:
    with pytest.raises(NotFound):
        await queue.fetch_submission(sql.engine, "LEV-2026-9999")
