"""The real intake path: the bot's own Dispatcher and Poller over the real SQL store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from antragslotse.intake import Intake
from bench.applicants import Script, draft_for, owner
from dialogs.model import Interview
from storage import keyfiles
from storage.bootstrap import open_store
from storage.models import processed_updates
from storage.sealing import PrivateKey
from storage.sql import SqlStore

if TYPE_CHECKING:  # seeding runs without aiogram
    from bot.views import View
    from locales.catalogs import Catalogs

SEED_CHUNK = 1000


def recipient_files(directory: Path) -> list[Path]:
    """Public keys for the hand-off (never used by the benchmark's steps)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in ("secretariat", "recovery"):
        path = directory / f"{name}.pub"
        if not path.exists():
            path.write_text(keyfiles.dump_public(PrivateKey.generate().public_key()))
        paths.append(path)
    return paths


async def open_bench_store(url: str, directory: Path) -> SqlStore:
    return await open_store(url, key_file=directory / "keys.json",
                            recipient_files=recipient_files(directory / "keys"))


async def seed(store: SqlStore, script: Script, users: Sequence[int] | range) -> None:
    """Store a draft per user through the store's own units (many drafts per unit)."""
    for start in range(0, len(users), SEED_CHUNK):
        async with store.unit() as uow:
            for user_id in users[start : start + SEED_CHUNK]:
                await uow.save_draft(uow.new_draft(owner(user_id), draft_for(script, user_id)))


class RealIntake:
    """The bot as ``antragslotse run`` builds it (flood limits in this process, metrics,
    retries), minus the network."""

    name = "real"

    def __init__(self, store: SqlStore, script: Script, interview: Interview, view: View,
                 catalogs: Catalogs) -> None:
        from antragslotse.settings import Settings
        from bench.stub import make_bot
        from bot.app import dispatcher, throttle
        from bot.metrics import Measure, Metrics
        from bot.retries import RetryUpdates

        self.store = store
        self.script = script
        self.intake = Intake(store, interview, dt.date.today, "en")
        self.bot, self.wire = make_bot()
        metrics = Metrics()
        flood = throttle(Settings(_env_file=None), store, None, self.intake, view, metrics)
        self.dispatcher = dispatcher(self.intake, view, catalogs, flood, Measure(metrics),
                                     RetryUpdates())
        self._expected: list[str] = []

    def use(self, expected: list[str]) -> None:
        self._expected = expected

    async def seed(self, users: Sequence[int]) -> None:
        await seed(self.store, self.script, users)

    async def stored(self, users: Sequence[int], steps: int) -> list[str]:
        """Every user's draft moved on by exactly ``steps`` committed versions."""
        problems = []
        final = self.script.after[steps - 1]
        async with self.store.unit() as uow:
            for user_id in users:
                draft = await uow.load_draft(owner(user_id))
                if draft is None or draft.version != 1 + steps:
                    found = None if draft is None else draft.version
                    problems.append(f"user {user_id}: version {found}, expected {1 + steps}")
                elif draft.progress.cursor != final.cursor:
                    problems.append(f"user {user_id}: at {draft.progress.cursor}")
        return problems

    async def claimed(self, first: int, last: int) -> int:
        """How many update ids in [first, last] were recorded as processed."""
        query = select(func.count()).select_from(processed_updates).where(
            processed_updates.c.update_id.between(first, last))
        async with self.store.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    def expected(self, texts: Sequence[str]) -> list[str]:
        return self._expected

    async def close(self) -> None:
        await self.store.close()
