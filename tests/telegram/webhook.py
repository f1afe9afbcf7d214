"""Webhook delivery as Telegram does it: POST each update, one at a time per chat.

Telegram's Bot API server keeps a queue per chat: the next update of a chat goes out only
after the webhook answered the previous one with 2xx; chats go out in parallel. A failed
delivery (an error status, a dropped connection, a timeout) is sent again after a growing
pause. ``targets`` stands in for a load balancer: each chat's deliveries alternate between
them. ``replay`` posts an update once more at once, beside its chat's queue (as when
Telegram re-sends while the first delivery is still running).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp

from .wire import JsonDict

if TYPE_CHECKING:
    from .server import BotAPIServer

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class Delivery:
    """One POST of an update to the webhook and how it ended."""

    update_id: int
    target: str
    status: int | None  # None: no HTTP answer (refused, dropped, timed out)
    error: str = ""

    @property
    def ok(self) -> bool:
        """Whether Telegram would count it as delivered."""
        return self.status is not None and 200 <= self.status < 300


def chat_key(update: JsonDict) -> int:
    """The queue an update waits in: its chat (or sender), else its own."""
    for kind in ("message", "edited_message", "callback_query", "my_chat_member"):
        body = update.get(kind)
        if isinstance(body, dict):
            chat = body.get("chat") or (body.get("message") or {}).get("chat")
            sender = body.get("from") or {}
            return int((chat or sender).get("id", -update["update_id"]))
    return -int(update["update_id"])


class WebhookSender:
    """Delivers the server's pending updates to its webhook until stopped."""

    def __init__(self, server: BotAPIServer, *, pause: float = 0.2, longest_pause: float = 2.0,
                 timeout: float = 30.0) -> None:
        self.server = server
        self.pause, self.longest_pause, self.timeout = pause, longest_pause, timeout
        self.log: list[Delivery] = []
        self.delivered: set[int] = set()
        self._busy: set[int] = set()
        self._not_before: dict[int, float] = {}  # update id -> loop time
        self._failures: dict[int, int] = {}
        self._turns: dict[int, itertools.count[int]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._session: aiohttp.ClientSession | None = None
        self._runner: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin delivering (idempotent)."""
        if self._runner is None or self._runner.done():
            self._session = self._session or aiohttp.ClientSession()
            self._runner = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop delivering; deliveries in flight are cancelled (they count as failed)."""
        for task in [*self._tasks, *([self._runner] if self._runner else [])]:
            task.cancel()
        await asyncio.gather(*self._tasks, *([self._runner] if self._runner else []),
                             return_exceptions=True)
        self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def replay(self, update: JsonDict) -> None:
        """Post ``update`` once more right now, whatever its chat's queue is doing."""
        self._spawn(self._post(update, chat_key(update), queued=False))

    async def post(self, update: JsonDict, target: str | None = None,
                   secret: str | None = None, **headers: str) -> Delivery:
        """One POST with an explicit secret (or none): for tests of the receiving end."""
        return await self._send(update, target or self._target(chat_key(update)), secret,
                                headers)

    # ----- the queue ----------------------------------------------------------

    def _ready(self) -> list[JsonDict]:
        """The first pending update of every chat that is neither busy nor pausing."""
        now = asyncio.get_running_loop().time()
        ready, seen = [], set()
        for update in self.server.pending_updates:
            key = chat_key(update)
            if key in seen:
                continue
            seen.add(key)
            if key not in self._busy and self._not_before.get(update["update_id"], 0) <= now:
                ready.append(update)
        return ready

    async def _run(self) -> None:
        while True:
            for update in self._ready():
                self._busy.add(chat_key(update))
                self._spawn(self._post(update, chat_key(update), queued=True))
            pauses = [t - asyncio.get_running_loop().time() for t in self._not_before.values()]
            wait = max(min([*pauses, 1.0]), 0.01)
            with contextlib.suppress(TimeoutError):
                await self.server.signal.wait_for(self._ready, wait)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, update: JsonDict, key: int, *, queued: bool) -> None:
        update_id = update["update_id"]
        try:
            delivery = await self._send(update, self._target(key), self.server.webhook_secret,
                                        {})
        finally:
            if queued:
                self._busy.discard(key)
        if delivery.ok:
            self.delivered.add(update_id)
            self._not_before.pop(update_id, None)
            if queued:
                self.server.pending_updates = [
                    u for u in self.server.pending_updates if u["update_id"] != update_id]
        elif queued:
            failures = self._failures[update_id] = self._failures.get(update_id, 0) + 1
            pause = min(self.pause * 2 ** (failures - 1), self.longest_pause)
            self._not_before[update_id] = asyncio.get_running_loop().time() + pause
        self.server.signal.fire()

    async def _send(self, update: JsonDict, target: str, secret: str | None,
                    headers: dict[str, str]) -> Delivery:
        if secret is not None:
            headers = {SECRET_HEADER: secret, **headers}
        update_id = int(update["update_id"])
        self.server.deliveries[update_id] = self.server.deliveries.get(update_id, 0) + 1
        self.server.signal.fire()
        self._session = self._session or aiohttp.ClientSession()
        try:
            async with self._session.post(
                    target, json=update, headers=headers,
                    timeout=aiohttp.ClientTimeout(total=self.timeout)) as response:
                await response.read()
                delivery = Delivery(update_id, target, response.status)
        except (aiohttp.ClientError, TimeoutError) as error:
            delivery = Delivery(update_id, target, None, type(error).__name__)
        self.log.append(delivery)
        self.server.signal.fire()
        return delivery

    def _target(self, key: int) -> str:
        targets = self.server.webhook_targets or [self.server.webhook_url]
        turn = next(self._turns.setdefault(key, itertools.count()))
        return targets[turn % len(targets)]
