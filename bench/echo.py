"""The baseline: a bare aiogram handler that answers every message with its own text."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

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


class DurableEcho:
    """The echo bot that first makes one durable commit per message: the floor of answering
    only once the disk has the answer, whatever else a bot does.

    SQLite: one row inserted and committed (WAL, synchronous=FULL) on one worker thread,
    one trip per message, as cheap as a durable commit off the event loop gets. PostgreSQL:
    one INSERT per message on a pool of asyncpg connections (each its own transaction).
    """

    name = "durable"

    def __init__(self, url: str) -> None:
        self.bot, self.wire = make_bot()
        self.url = url
        self.rows = 0
        self._commit: Callable[[int], Awaitable[None]] | None = None
        self._closers: list[Callable[[], Awaitable[None]]] = []
        router = Router(name="durable")

        @router.message()
        async def on_message(message: Message) -> None:
            assert self._commit is not None
            await self._commit(message.message_id)
            await message.answer(message.text or "")

        self.dispatcher = Dispatcher()
        self.dispatcher.include_router(router)

    async def open(self) -> None:
        if self.url.startswith("sqlite"):
            self._commit = self._sqlite(self.url.removeprefix("sqlite:///"))
        else:
            import asyncpg  # type: ignore[import-untyped]

            pool = await asyncpg.create_pool(self.url, min_size=16, max_size=16)
            await pool.execute("CREATE TABLE IF NOT EXISTS bench_durable (n BIGINT)")

            async def commit(n: int) -> None:
                await pool.execute("INSERT INTO bench_durable VALUES ($1)", n)
                self.rows += 1

            self._commit = commit
            self._closers.append(pool.close)

    def _sqlite(self, path: str) -> Callable[[int], Awaitable[None]]:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=wal")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE IF NOT EXISTS durable (n INTEGER)")
        worker = ThreadPoolExecutor(1, thread_name_prefix="durable")

        def insert(n: int) -> None:
            db.execute("BEGIN")
            db.execute("INSERT INTO durable VALUES (?)", (n,))
            db.execute("COMMIT")

        async def commit(n: int) -> None:
            await asyncio.get_running_loop().run_in_executor(worker, insert, n)
            self.rows += 1

        async def close() -> None:
            worker.shutdown()
            db.close()

        self._closers.append(close)
        return commit

    async def seed(self, users: Sequence[int]) -> None:
        self.rows = 0

    async def stored(self, users: Sequence[int], steps: int) -> list[str]:
        expected = len(users) * steps
        return [] if self.rows == expected else [f"{self.rows} rows for {expected} messages"]

    def expected(self, texts: Sequence[str]) -> list[str]:
        return list(texts)

    async def close(self) -> None:
        for close in self._closers:
            await close()
