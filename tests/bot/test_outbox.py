"""The outbox against the local Bot API server: once per event, Telegram's errors honoured."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from antragslotse.presenter import Presenter
from antragslotse.profile import load_profile
from antragslotse.settings import PACKAGED_PROFILE
from antragslotse.wiring import renderer
from bot.outbox import Deliveries
from bot.views import View
from dialogs.content import INTERVIEW
from dialogs.progress import Progress
from locales.catalogs import Catalogs
from secretariat.keys import keygen
from storage import status
from storage.bootstrap import open_store
from storage.outbox import Courier
from storage.sql import SqlStore
from tests.telegram.server import BotAPIServer

BOARD = load_profile(PACKAGED_PROFILE)
VIEW = View(Presenter(renderer(Catalogs(), BOARD), BOARD))
OFFICE_CHAT = -1001


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    keygen(tmp_path / "k", "a-long-passphrase")
    opened = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
                              key_file=tmp_path / "keys.json",
                              recipient_files=[tmp_path / "k" / "secretariat.pub"])
    yield opened
    await opened.close()


async def submit(store: SqlStore, user_id: int, language: str) -> str:
    async with store.unit() as uow:
        draft = await uow.save_draft(uow.new_draft(
            f"tg:{user_id}", Progress("welcome", language=language, contact=f"tg:{user_id}")))
        return await uow.submit(draft, b"{}", [], True)


async def test_notices_go_out_once_and_honour_telegram(store: SqlStore) -> None:
    clock = [dt.datetime.now(dt.UTC)]
    async with BotAPIServer() as server:
        server.add_chat(OFFICE_CHAT, "Geschäftsstelle")
        applicant = server.user(77, language_code="ar")
        bot = Bot(server.token, session=AiohttpSession(
            api=TelegramAPIServer.from_base(server.base_url)))
        courier = Courier(store.engine, store.keys_for)
        post = Deliveries(courier, bot, VIEW, INTERVIEW, OFFICE_CHAT, lambda: clock[0])
        try:
            reference = await submit(store, 77, "ar")
            clock[0] = dt.datetime.now(dt.UTC)  # the submission is stamped with the real time
            server.fail_next("sendMessage", 429, retry_after=30)
            assert await post.deliver() == 0  # Telegram said: wait 30 seconds
            assert [c.status for c in server.calls_of("sendMessage")] == [429]
            assert await post.deliver() == 0  # not yet due
            clock[0] += dt.timedelta(seconds=31)
            assert await post.deliver() == 1
            assert await post.deliver() == 0  # sent once, never again
            texts = [c.params.get("text") for c in server.calls_of("sendMessage")
                     if str(c.params.get("chat_id")) == str(OFFICE_CHAT) and c.status == 200]
            assert texts == [f"Neuer Antrag {reference} (Eilfall)"]  # reference and flag only

            await status.change(store.engine, reference, status.RECEIVED, "GS-1",
                                now=clock[0])
            server.fail_next("sendMessage", 500)
            assert await post.deliver() == 0
            clock[0] += dt.timedelta(seconds=6)
            assert await post.deliver() == 1
            message = await applicant.next_message()
            assert reference in message.text and "السكرتارية" in message.text
            assert message.protect_content

            await status.change(store.engine, reference, status.AGENDA, "GS-1",
                                dt.date(2026, 12, 10), now=clock[0])
            applicant.block()
            assert await post.deliver() == 0  # 403: the person blocked the bot — stop
            clock[0] += dt.timedelta(days=1)
            assert await post.deliver() == 0 and await courier.backlog() == 0
        finally:
            await bot.session.close()


async def test_without_a_secretariat_chat_the_notice_is_dropped(store: SqlStore) -> None:
    async with BotAPIServer() as server:
        bot = Bot(server.token, session=AiohttpSession(
            api=TelegramAPIServer.from_base(server.base_url)))
        courier = Courier(store.engine, store.keys_for)
        try:
            await submit(store, 5, "de")
            assert await Deliveries(courier, bot, VIEW, INTERVIEW, None).deliver() == 0
            assert await courier.backlog() == 0 and server.calls_of("sendMessage") == []
        finally:
            await bot.session.close()


async def test_a_nachtrag_is_announced_with_its_number_only(store: SqlStore) -> None:
    async with BotAPIServer() as server:
        server.add_chat(OFFICE_CHAT, "Geschäftsstelle")
        bot = Bot(server.token, session=AiohttpSession(
            api=TelegramAPIServer.from_base(server.base_url)))
        post = Deliveries(Courier(store.engine, store.keys_for), bot, VIEW, INTERVIEW,
                          OFFICE_CHAT)
        try:
            reference = await submit(store, 8, "fa")
            async with store.unit() as uow:
                draft = await uow.save_draft(uow.new_draft("tg:8", Progress(
                    "addendum_intro", language="fa", addendum_to=reference)))
                await uow.add_addendum(draft, reference, b'{"secret": "Zzyzx"}', [])
            assert await post.deliver() == 2
            texts = [c.params.get("text") for c in server.calls_of("sendMessage")]
            assert texts == [f"Neuer Antrag {reference} (Eilfall)", f"Nachtrag 1 zu {reference}"]
        finally:
            await bot.session.close()
