"""Long polling that never loses an update: a batch is confirmed only after it was handled.

aiogram's own polling confirms updates (by asking for the next offset) while handlers may
still run. Here each batch is handled completely — users in parallel, each user's updates in
order — before the next getUpdates call confirms it. A crash mid-batch means Telegram sends
the batch again; update ids already committed are skipped by the intake.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update

from bot.retries import passing

log = logging.getLogger(__name__)
ALLOWED = ["message", "callback_query"]


def user_key(update: Update) -> int:
    """Updates of one user are handled one at a time, in order."""
    event = update.message or update.callback_query
    user = event.from_user if event is not None else None
    return user.id if user is not None else -update.update_id


class Poller:
    def __init__(self, bot: Bot, dispatcher: Dispatcher, timeout: int = 25) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.timeout = timeout
        self.offset: int | None = None
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            try:
                updates = await self._fetch(self.timeout)
            except Exception as exc:  # network or Bot API trouble: back off, keep going
                log.warning("getUpdates failed (%s); retrying in %.0f s", type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            if await self.handle(updates):
                delay = 1.0
                continue
            # Something passing (the database, Telegram) failed even after the retries: the
            # failed updates come again with the next batch, after a pause.
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
        if self.offset is not None:  # confirm the last batch so a restart does not repeat it
            await self._fetch(0)

    async def handle(self, updates: Sequence[Update]) -> bool:
        """Handle a batch; False if an update failed for a passing reason.

        Then the batch is confirmed only up to that update: it and everything after it come
        again (what was committed meanwhile is recognised by its update id and not repeated).
        """
        lanes: dict[int, list[Update]] = defaultdict(list)
        for update in updates:
            lanes[user_key(update)].append(update)
        stopped = [u for u in await asyncio.gather(*(self._lane(lane) for lane in lanes.values()))
                   if u is not None]
        if stopped:
            self.offset = min(stopped)
        elif updates:
            self.offset = max(u.update_id for u in updates) + 1
        return not stopped

    async def _lane(self, updates: list[Update]) -> int | None:
        """One user's updates in order; the id of one that failed for a passing reason."""
        for update in updates:
            try:
                await self.dispatcher.feed_update(self.bot, update)
            except Exception as exc:  # logged by type only: messages may hold personal data
                log.error("update %d failed: %s", update.update_id, type(exc).__name__)
                if passing(exc):  # keep the order: this user's later updates wait too
                    return update.update_id
        return None

    async def _fetch(self, timeout: int) -> list[Update]:
        request = GetUpdates(offset=self.offset, timeout=timeout, allowed_updates=ALLOWED)
        waiting = self._stop.wait() if timeout else asyncio.sleep(3600)
        fetch = asyncio.ensure_future(self.bot(request, request_timeout=timeout + 10))
        stop = asyncio.ensure_future(waiting)
        done, _ = await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if fetch not in done:
            fetch.cancel()
            return []
        return fetch.result()
