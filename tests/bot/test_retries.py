"""Telegram's faults against the local Bot API server: 429, 5xx and timeouts are retried."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage
from aiogram.types import TelegramObject, Update
from sqlalchemy import exc as sql

from bot.metrics import Metrics
from bot.retries import RetryUpdates, passing
from storage.ports import Conflict, Undone
from tests.bot.conftest import Pauses
from tests.telegram.server import BotAPIServer


def statuses(server: BotAPIServer, method: str = "sendMessage") -> list[int]:
    return [c.status for c in server.calls_of(method)]


def retries(metrics: Metrics, fault: str) -> float:
    value = metrics.registry.get_sample_value(
        "antragslotse_telegram_retries_total", {"method": "SendMessage", "fault": fault})
    return value or 0.0


async def test_429_waits_as_long_as_telegram_asks(
    bot_api: BotAPIServer, bot: Bot, pauses: Pauses, metrics: Metrics
) -> None:
    user = bot_api.user(1)
    bot_api.fail_next("sendMessage", 429, retry_after=3)
    await bot.send_message(user.id, "hello")
    assert statuses(bot_api) == [429, 200] and pauses.taken == [3.0]
    assert [m.text for m in user.transcript] == ["hello"]
    assert retries(metrics, "429") == 1


async def test_5xx_is_retried_with_growing_pauses(
    bot_api: BotAPIServer, bot: Bot, pauses: Pauses, metrics: Metrics
) -> None:
    user = bot_api.user(2)
    bot_api.fail_next("sendMessage", 502, times=3)
    await bot.send_message(user.id, "hello")
    assert statuses(bot_api) == [502, 502, 502, 200]
    assert len(pauses.taken) == 3 and pauses.taken[0] < pauses.taken[2]
    assert 0.25 <= pauses.taken[0] <= 0.5 and 1.0 <= pauses.taken[2] <= 2.0
    assert retries(metrics, "5xx") == 3


async def test_a_timeout_is_retried_and_sends_once(
    bot_api: BotAPIServer, bot: Bot, metrics: Metrics
) -> None:
    user = bot_api.user(3)
    bot_api.stall_next("sendMessage", 3.0)
    await bot.send_message(user.id, "hello")
    assert [m.text for m in user.transcript] == ["hello"]
    assert retries(metrics, "timeout") == 1


async def test_the_last_fault_goes_up_when_retries_run_out(
    bot_api: BotAPIServer, bot: Bot, pauses: Pauses
) -> None:
    user = bot_api.user(4)
    bot_api.fail_next("sendMessage", 500, times=10)
    with pytest.raises(TelegramServerError):
        await bot.send_message(user.id, "hello")
    assert len(statuses(bot_api)) == 5 and len(pauses.taken) == 4
    bot_api.fail_next("sendMessage", 429, retry_after=3600)  # a flood ban: not waited out
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(user.id, "hello")
    assert len(pauses.taken) == 4


async def test_polls_and_real_errors_are_not_retried(
    bot_api: BotAPIServer, bot: Bot, pauses: Pauses
) -> None:
    bot_api.fail_next("getUpdates", 502)
    with pytest.raises(TelegramServerError):
        await bot.get_updates()
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(424242, "nobody")  # chat not found
    assert pauses.taken == []


async def test_a_callback_answered_before_counts_as_done(bot_api: BotAPIServer, bot: Bot) -> None:
    user = bot_api.user(5)
    message = await bot.send_message(user.id, "tap")
    tap = user.click(message.message_id, "x")
    assert await bot.answer_callback_query(str(tap.query_id))
    assert await bot.answer_callback_query(str(tap.query_id))  # a re-delivered tap
    assert statuses(bot_api, "answerCallbackQuery") == [200, 400]


@pytest.mark.parametrize(("error", "expected"), [
    (Conflict("moved on"), True),
    (Undone("another unit of the group failed"), True),
    (TelegramNetworkError(SendMessage(chat_id=1, text="x"), "Request timeout error"), True),
    (TelegramServerError(SendMessage(chat_id=1, text="x"), "Bad Gateway"), True),
    (sql.OperationalError("SELECT 1", {}, Exception("gone")), True),
    (sql.DBAPIError("SELECT 1", {}, Exception("reset"), connection_invalidated=True), True),
    (sql.IntegrityError("INSERT", {}, Exception("unique")), False),
    (TelegramBadRequest(SendMessage(chat_id=1, text="x"), "chat not found"), False),
    (KeyError("bug"), False),
])
def test_passing_faults(error: Exception, expected: bool) -> None:
    assert passing(error) is expected


class Flaky:
    """A handler failing with the given errors first."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self, event: TelegramObject, data: dict[str, Any]) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


async def test_an_update_is_handled_again_after_a_passing_fault(pauses: Pauses) -> None:
    retry = RetryUpdates(attempts=3, pause=1.0, sleep=pauses)
    update = Update(update_id=1)
    handler = Flaky(Conflict("a"), sql.OperationalError("x", {}, Exception("gone")))
    assert await retry(handler, update, {}) == "done"
    assert handler.calls == 3 and pauses.taken == [1.0, 2.0]
    with pytest.raises(Conflict):
        await retry(Flaky(*[Conflict("again")] * 3), update, {})
    bug = Flaky(KeyError("bug"))
    with pytest.raises(KeyError):
        await retry(bug, update, {})
    assert bug.calls == 1
