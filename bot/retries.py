"""Telegram's faults, ridden out: outgoing calls retried, failed updates handled again.

* ``RetryRequests`` (a session middleware): 429 waits ``retry_after``; 5xx answers, network
  errors and timeouts are retried with growing, jittered pauses. A retried send may show a
  message twice when only the answer was lost — a repeated screen is harmless, a lost one
  is not. An ``answerCallbackQuery`` Telegram no longer accepts (the tap of a re-delivered
  update was answered before) counts as done: it only stops a spinner.
* ``RetryUpdates`` (an outer update middleware): an update that failed for a passing reason
  (see ``passing``) is handled again; what was committed is skipped by the intake, which
  shows the current screen once more. If it still fails, the error goes up: the webhook
  answers 500 and Telegram sends the update again later.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import TelegramObject
from sqlalchemy import exc as sql

from bot.metrics import Metrics
from storage.ports import Conflict, Undone

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
PASSING = (TelegramNetworkError, TelegramServerError, TelegramRetryAfter, ClientDecodeError,
           Conflict, Undone, sql.OperationalError, sql.InterfaceError, sql.TimeoutError,
           sql.DisconnectionError, ConnectionError, TimeoutError)


def passing(error: BaseException) -> bool:
    """Whether trying again later may succeed: Telegram or the database was briefly away."""
    if isinstance(error, sql.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, PASSING)


class RetryRequests(BaseRequestMiddleware):
    """Retries one Bot API call; getUpdates keeps its own rhythm (see ``bot.polling``)."""

    def __init__(self, metrics: Metrics | None = None, *, attempts: int = 5, pause: float = 0.5,
                 longest_pause: float = 8.0, longest_wait: float = 60.0,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.metrics = metrics
        self.attempts, self.pause, self.longest_pause = attempts, pause, longest_pause
        self.longest_wait = longest_wait  # a longer retry_after is not waited for here
        self.sleep = sleep

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        if method.__api_method__ == GetUpdates.__api_method__:
            return await make_request(bot, method)
        name = type(method).__name__
        attempt = 1
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                fault, wait = "429", float(error.retry_after)
                if wait > self.longest_wait or attempt >= self.attempts:
                    raise
            except TelegramBadRequest:
                if isinstance(method, AnswerCallbackQuery):
                    log.debug("a callback query could not be answered any more")
                    return True  # type: ignore[return-value]  # the call's own result type
                raise
            except (TelegramServerError, TelegramNetworkError, ClientDecodeError) as error:
                if attempt >= self.attempts:
                    raise
                fault, wait = _fault(error), self._backoff(attempt)
            if self.metrics is not None:
                self.metrics.telegram_retries.labels(name, fault).inc()
            log.info("%s: %s, try %d of %d in %.1f s", name, fault, attempt + 1,
                     self.attempts, wait)
            await self.sleep(wait)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.longest_pause, self.pause * 2.0 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def _fault(error: Exception) -> str:
    if isinstance(error, TelegramServerError):
        return "5xx"
    if isinstance(error, TelegramNetworkError) and "timeout" in str(error.message).lower():
        return "timeout"
    return "network" if isinstance(error, TelegramNetworkError) else "undecodable"


class RetryUpdates(BaseMiddleware):
    """Handles an update again when it failed for a passing reason."""

    def __init__(self, attempts: int = 3, pause: float = 1.0, sleep: Sleep = asyncio.sleep) -> None:
        self.attempts, self.pause, self.sleep = attempts, pause, sleep

    async def __call__(self, handler: Handler, event: TelegramObject,
                       data: dict[str, Any]) -> Any:
        attempt = 1
        while True:
            try:
                return await handler(event, data)
            except Exception as error:
                if attempt >= self.attempts or not passing(error):
                    raise
                log.warning("update failed (%s); handling it again, try %d of %d",
                            type(error).__name__, attempt + 1, self.attempts)
            await self.sleep(self.pause * attempt)
            attempt += 1
