"""Retention on SQLite and PostgreSQL: remind, warn, delete once each, even with two sweepers."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace

from antragslotse.profile import load_profile
from antragslotse.retention import EXPIRED, REMINDER, WARNING, Schedule
from antragslotse.settings import PACKAGED_PROFILE
from dialogs.progress import Progress
from storage.retention import Janitor
from storage.sql import SqlStore

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
