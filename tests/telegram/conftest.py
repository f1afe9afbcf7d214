"""Fixtures for tests that talk to the local Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from .server import BotAPIServer


@pytest.fixture
async def bot_api() -> AsyncIterator[BotAPIServer]:
    """A running fake Bot API server, stopped after the test."""
    async with BotAPIServer() as server:
        yield server


@pytest.fixture
async def aiogram_bot(bot_api: BotAPIServer) -> AsyncIterator[Bot]:
    """A real aiogram Bot whose session points at bot_api."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(bot_api.base_url))
    async with Bot(bot_api.token, session=session) as bot:
        yield bot
