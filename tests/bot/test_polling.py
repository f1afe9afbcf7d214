"""Polling confirms a batch only as far as it was handled: a passing failure comes again."""

from __future__ import annotations

import datetime as dt

from aiogram import Bot, Dispatcher
from aiogram.types import Chat, Message, Update, User
from sqlalchemy import exc as sql

from bot.polling import Poller


def update(update_id: int, user: int) -> Update:
    person = User(id=user, is_bot=False, first_name="A")
    return Update(update_id=update_id, message=Message(
        message_id=update_id, date=dt.datetime.now(dt.UTC), chat=Chat(id=user, type="private"),
        from_user=person, text=f"text {update_id}"))


def poller(failing: dict[int, Exception], handled: list[int]) -> Poller:
    dp = Dispatcher()

    @dp.message()
    async def on_message(message: Message) -> None:
        handled.append(message.message_id)
        if message.message_id in failing:
            raise failing.pop(message.message_id)

    return Poller(Bot("123456:" + "A" * 35), dp)


async def test_a_passing_failure_holds_the_batch_back_from_that_update() -> None:
    handled: list[int] = []
    database_away = sql.OperationalError("SELECT 1", {}, ConnectionError())
    polling = poller({11: database_away}, handled)
    batch = [update(10, 1), update(11, 1), update(12, 1), update(13, 2)]
    assert await polling.handle(batch) is False
    assert polling.offset == 11  # 10 is confirmed; 11 and after come again
    assert sorted(handled) == [10, 11, 13]  # 12 waited: one user's updates stay in order
    assert await polling.handle(batch[1:]) is True and polling.offset == 14
    assert handled[-3:] in ([11, 12, 13], [13, 11, 12], [11, 13, 12])


async def test_a_failure_that_would_fail_again_is_confirmed_and_logged() -> None:
    handled: list[int] = []
    polling = poller({20: ValueError("a bug")}, handled)
    assert await polling.handle([update(20, 1), update(21, 1)]) is True
    assert polling.offset == 22 and handled == [20, 21]
