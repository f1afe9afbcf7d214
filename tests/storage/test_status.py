"""The status flow: allowed steps only, every change in the audit trail, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest

from dialogs.progress import Progress
from storage import queue, status
from storage.ports import NotFound
from storage.sql import SqlStore


async def submitted(sql: SqlStore) -> str:
    async with sql.unit() as uow:
        draft = await uow.save_draft(uow.new_draft("tg:1", Progress("welcome")))
        return await uow.submit(draft, b"{}", [], False)


async def test_the_flow_and_its_audit_trail(sql: SqlStore) -> None:
    ref = await submitted(sql)
    meeting = dt.date(2026, 12, 10)
    await status.change(sql.engine, ref, status.RECEIVED, "GS-1")
    await status.change(sql.engine, ref, status.AGENDA, "GS-2", meeting)
    await status.change(sql.engine, ref, status.RECOMMENDED, "GS-1")
    trail = await status.history(sql.engine, ref)
    assert [(e.status, e.actor, e.meeting) for e in trail] == [
        ("received", "GS-1", None), ("agenda", "GS-2", meeting), ("recommended", "GS-1", None)]
    (entry,) = await queue.list_submissions(sql.engine)
    assert entry.status == "recommended"


@pytest.mark.parametrize(("steps", "error"), [
    ([status.RECOMMENDED], status.InvalidTransition),
    ([status.RECEIVED, status.AGENDA], status.InvalidTransition),  # no meeting date
    ([status.WITHDRAWN, status.RECEIVED], status.InvalidTransition),
])
async def test_forbidden_steps_are_refused(sql: SqlStore, steps: list[str],
                                           error: type[Exception]) -> None:
    ref = await submitted(sql)
    with pytest.raises(error):
        for step in steps:
            await status.change(sql.engine, ref, step, "GS-1")


async def test_unknown_reference(sql: SqlStore) -> None:
    with pytest.raises(NotFound):
        await status.change(sql.engine, "LEV-1999-0001", status.RECEIVED, "GS-1")
