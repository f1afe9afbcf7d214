"""Retention on SQLite and PostgreSQL: remind, warn, delete once each, even with two sweepers."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace

from antragslotse.profile import load_profile
from antragslotse.retention import EXPIRED, FOR_ADDENDUM, REMINDER, WARNING, Schedule
from antragslotse.settings import PACKAGED_PROFILE
from dialogs.progress import Progress
from storage import queue, status
from storage.retention import Janitor
from storage.sql import SqlStore
from tests.storage.backends import OFFICE

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
BOARD = load_profile(PACKAGED_PROFILE)  # reminder 14, warning 7 before, deletion after 90 days


async def draft_idle_for(sql: SqlStore, owner: str, days: int) -> None:
    sql.clock = lambda: NOW - dt.timedelta(days=days)
    async with sql.unit() as uow:
        await uow.save_draft(uow.new_draft(owner, Progress("welcome", language="ar",
                                                           contact=owner)))
    sql.clock = lambda: NOW


async def test_each_notice_goes_out_once_and_idle_drafts_are_deleted(sql: SqlStore) -> None:
    for owner, days in [("tg:1", 3), ("tg:2", 20), ("tg:3", 85), ("tg:4", 91)]:
        await draft_idle_for(sql, owner, days)
    schedule = Schedule(Janitor(sql), BOARD)
    first, second = await asyncio.gather(schedule.sweep(NOW), schedule.sweep(NOW))
    sent = sorted((n.contact, n.text.msgid) for n in [*first, *second])
    assert sent == [("tg:2", REMINDER), ("tg:3", WARNING), ("tg:4", EXPIRED)]
    assert all(n.language == "ar" for n in first + second)
    assert await schedule.sweep(NOW) == []  # claimed in the database: never twice
    async with sql.unit() as uow:
        assert await uow.load_draft("tg:4") is None
        assert await uow.load_draft("tg:3") is not None


async def test_activity_starts_the_clock_again(sql: SqlStore) -> None:
    await draft_idle_for(sql, "tg:9", 20)
    schedule = Schedule(Janitor(sql), BOARD)
    assert [n.contact for n in await schedule.sweep(NOW)] == ["tg:9"]
    async with sql.unit() as uow:
        draft = await uow.load_draft("tg:9")
        assert draft is not None
        await uow.save_draft(replace(draft, progress=replace(draft.progress, cursor="privacy")))
    later = NOW + dt.timedelta(days=20)
    assert [n.text.msgid for n in await schedule.sweep(later)] == [REMINDER]


async def test_old_update_ids_are_forgotten(sql: SqlStore) -> None:
    sql.clock = lambda: NOW - dt.timedelta(days=3)
    async with sql.unit() as uow:
        assert await uow.claim_update(7)
    await Schedule(Janitor(sql), BOARD).sweep(NOW)
    async with sql.unit() as uow:
        assert await uow.claim_update(7)  # forgotten after 48 hours


async def test_a_nachtrag_draft_is_told_its_application_stays(sql: SqlStore) -> None:
    sql.clock = lambda: NOW - dt.timedelta(days=20)
    async with sql.unit() as uow:
        await uow.save_draft(uow.new_draft("tg:5", Progress(
            "addendum_facts", language="fa", contact="tg:5", addendum_to="LEV-2026-0042")))
    notices = await Schedule(Janitor(sql), BOARD).sweep(NOW)
    assert [n.text.msgid for n in notices] == [FOR_ADDENDUM[REMINDER]]
    assert "LEV-2026-0042" in str(notices[0].text.params["reference"])


async def submitted(sql: SqlStore, owner: str, days_ago: int) -> str:
    sql.clock = lambda: NOW - dt.timedelta(days=days_ago)
    async with sql.unit() as uow:
        draft = await uow.save_draft(uow.new_draft(owner, Progress("welcome", contact=owner)))
        return await uow.submit(draft, b'{"a": 1}', [], False)


async def add_addendum(sql: SqlStore, owner: str, reference: str, days_ago: int) -> None:
    sql.clock = lambda: NOW - dt.timedelta(days=days_ago)
    async with sql.unit() as uow:
        draft = await uow.save_draft(uow.new_draft(owner, Progress(
            "addendum_facts", contact=owner, addendum_to=reference)))
        await uow.add_addendum(draft, reference, b'{"n": 1}', [])


async def test_sealed_contents_leave_once_acknowledged_and_closed_cases_go(sql: SqlStore) -> None:
    reference = await submitted(sql, "tg:1", 40)
    await status.change(sql.engine, reference, status.RECEIVED, "GS-1",
                        now=NOW - dt.timedelta(days=35))
    await add_addendum(sql, "tg:1", reference, 34)
    await queue.acknowledge_addenda(sql.engine, reference, [1], NOW - dt.timedelta(days=33))
    await add_addendum(sql, "tg:1", reference, 2)  # not exported yet
    other = await submitted(sql, "tg:2", 40)  # not acknowledged: kept whole
    schedule = Schedule(Janitor(sql), BOARD)  # acknowledged_days = 30
    await schedule.sweep(NOW)

    _, envelope = await queue.fetch_submission(sql.engine, reference)
    assert envelope.parts == {} and envelope.wraps == {}  # the contents left
    kept = await queue.fetch_addenda(sql.engine, reference)
    assert [(a.number, bool(a.envelope.wraps)) for a in kept] == [(1, False), (2, True)]
    assert queue.open_submission(kept[1].envelope, OFFICE) == {"addendum.json": b'{"n": 1}'}
    _, whole = await queue.fetch_submission(sql.engine, other)
    assert queue.open_submission(whole, OFFICE) == {"application.json": b'{"a": 1}'}
    async with sql.unit() as uow:  # the case goes on: status, notices, Nachträge
        assert [s.reference for s in await uow.submissions_of("tg:1")] == [reference]
    await add_addendum(sql, "tg:1", reference, 1)

    await status.change(sql.engine, reference, status.WITHDRAWN, "GS-1", now=NOW)
    await schedule.sweep(NOW + dt.timedelta(days=29))
    assert reference in [s.reference for s in await queue.list_submissions(sql.engine)]
    await schedule.sweep(NOW + dt.timedelta(days=31))  # closed long enough: forgotten
    assert [s.reference for s in await queue.list_submissions(sql.engine)] == [other]
    assert await queue.fetch_addenda(sql.engine, reference) == []
