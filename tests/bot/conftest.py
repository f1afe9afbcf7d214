"""Fixtures for the Telegram adapter's tests: a local Bot API server and a real client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.metrics import Metrics
from bot.retries import RetryRequests
from tests.telegram.server import BotAPIServer


class Pauses:
    """A sleep that records how long it was asked to wait, and returns at once."""

    def __init__(self) -> None:
        self.taken: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)


@pytest.fixture
async def bot_api() -> AsyncIterator[BotAPIServer]:
    async with BotAPIServer() as server:
        yield server


@pytest.fixture
def pauses() -> Pauses:
    return Pauses()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
async def bot(bot_api: BotAPIServer, pauses: Pauses, metrics: Metrics) -> AsyncIterator[Bot]:
    """A real aiogram Bot with the retrying session, a short timeout, and recorded pauses."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(bot_api.base_url), timeout=0.5)
    session.middleware(RetryRequests(metrics, sleep=pauses))
    async with Bot(bot_api.token, session=session) as client:
        yield client
