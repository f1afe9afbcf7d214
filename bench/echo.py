"""The baseline: a bare aiogram handler that answers every message with its own text."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Dispatcher, Router
from aiogram.types import Message

from bench.stub import make_bot


def dispatcher() -> Dispatcher:
    router = Router(name="echo")

    @router.message()  # no filter: aiogram runs plain-function filters such as F.text in a thread
    async def on_message(message: Message) -> None:
        await message.answer(message.text or "")

    dp = Dispatcher()
    dp.include_router(router)
    return dp


class Echo:
    """The echo bot as a benchmark target: nothing to seed, nothing stored."""

    name = "echo"

    def __init__(self) -> None:
        self.bot, self.wire = make_bot()
        self.dispatcher = dispatcher()

    async def seed(self, users: Sequence[int]) -> None:
        return None

    async def stored(self, users: Sequence[int], steps: int) -> list[str]:
        return []

    def expected(self, texts: Sequence[str]) -> list[str]:
        return list(texts)

    async def close(self) -> None:
        return None
