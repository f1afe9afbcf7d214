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
    def __init__(self, bot: Bot, dispatcher: Dispatcher, timeout: int = 25, *,
                 attempts: int = 5, pause: float = 2.0) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.timeout = timeout
        self.attempts, self.pause = attempts, pause  # for updates that fail passingly
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
            delay = 1.0
            await self.handle(updates)
        if self.offset is not None:  # confirm the last batch so a restart does not repeat it
            try:
                await self._fetch(0)
            except Exception as exc:  # Telegram away: the batch comes again and is skipped
                log.warning("could not confirm the last updates (%s); after a restart they "
                            "come again and are recognised", type(exc).__name__)

    async def handle(self, updates: Sequence[Update]) -> None:
        lanes: dict[int, list[Update]] = defaultdict(list)
        for update in updates:
            lanes[user_key(update)].append(update)
        await asyncio.gather(*(self._lane(lane) for lane in lanes.values()))
        if updates:
            self.offset = max(u.update_id for u in updates) + 1

    async def _lane(self, updates: list[Update]) -> None:
        """One user's updates, in order. One that fails for a passing reason (the database or
        Telegram away for longer than the dispatcher's own retries) is tried again here, with
        growing pauses, before the batch is confirmed: a crash meanwhile re-delivers it."""
        for update in updates:
            for attempt in range(1, self.attempts + 1):
                try:
                    await self.dispatcher.feed_update(self.bot, update)
                    break
                except Exception as exc:  # logged by type only: messages hold personal data
                    again = passing(exc) and attempt < self.attempts and not self._stop.is_set()
                    log.error("update %d failed: %s%s", update.update_id, type(exc).__name__,
                              "; trying it again" if again else "")
                    if not again:
                        break
                    await asyncio.sleep(self.pause * 2 ** (attempt - 1))

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
