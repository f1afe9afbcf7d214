"""Polling tries an update that failed for a passing reason again, in order, before confirming."""

from __future__ import annotations

import datetime as dt

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import GetUpdates
from aiogram.types import Chat, Message, Update, User
from sqlalchemy import exc as sql

from bot.polling import Poller


def update(update_id: int, user: int) -> Update:
    person = User(id=user, is_bot=False, first_name="A")
    return Update(update_id=update_id, message=Message(
        message_id=update_id, date=dt.datetime.now(dt.UTC), chat=Chat(id=user, type="private"),
        from_user=person, text=f"text {update_id}"))


def poller(failing: dict[int, list[Exception]], handled: list[int]) -> Poller:
    dp = Dispatcher()

    @dp.message()
    async def on_message(message: Message) -> None:
        handled.append(message.message_id)
        errors = failing.get(message.message_id)
        if errors:
            raise errors.pop(0)

    return Poller(Bot("123456:" + "A" * 35), dp, attempts=3, pause=0.0)


def database_away() -> Exception:
    return sql.OperationalError("SELECT 1", {}, ConnectionError())


async def test_a_passing_failure_is_tried_again_before_the_batch_is_confirmed() -> None:
    handled: list[int] = []
    polling = poller({11: [database_away(), database_away()]}, handled)
    await polling.handle([update(10, 1), update(11, 1), update(12, 1), update(13, 2)])
    assert polling.offset == 14
    mine = [n for n in handled if n != 13]
    assert mine == [10, 11, 11, 11, 12]  # one user's updates stay in order


async def test_retries_are_bounded_and_a_bug_is_not_retried() -> None:
    handled: list[int] = []
    polling = poller({20: [database_away()] * 5, 22: [ValueError("a bug")]}, handled)
    await polling.handle([update(20, 1), update(21, 1), update(22, 1)])
    assert handled == [20, 20, 20, 21, 22] and polling.offset == 23


async def test_stopping_while_telegram_is_away_ends_cleanly(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    polling = poller({}, [])
    polling.offset = 42  # a batch was handled but not yet confirmed

    async def away(timeout: int) -> list[Update]:
        raise TelegramNetworkError(method=GetUpdates(), message="Request timeout error")

    monkeypatch.setattr(polling, "_fetch", away)
    polling.stop()
    await polling.run()  # no exception: the batch comes again after a restart, and is skipped
    assert "could not confirm the last updates (TelegramNetworkError)" in caplog.text
