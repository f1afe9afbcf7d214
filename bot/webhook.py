"""Webhook mode: Telegram posts each update; it is answered only after it was handled.

aiogram's own webhook handlers answer Telegram early (``handle_in_background``) or after 55
seconds at the latest; here the response waits for the handler — and so for the commit. If
the process dies first, Telegram gets no answer and sends the update again; update ids that
were committed are skipped by the intake. A request without the right
``X-Telegram-Bot-Api-Secret-Token`` is refused with 401 before anything is read or changed.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.metrics import Metrics
from bot.polling import ALLOWED, user_key

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Lanes:
    """One update at a time per user within this process; users in parallel."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        lock, waiting = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self._locks[key]
            if waiting == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, waiting - 1)


class Webhook:
    """The POST endpoint Telegram delivers updates to."""

    def __init__(self, bot: Bot, dispatcher: Dispatcher, secret: str, metrics: Metrics) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self._secret = secret.encode()
        self.metrics = metrics
        self.lanes = Lanes()

    def authentic(self, token: str | None) -> bool:
        """Compare the secret token in constant time."""
        return token is not None and hmac.compare_digest(token.encode(), self._secret)

    async def on_update(self, request: web.Request) -> web.Response:
        if not self.authentic(request.headers.get(SECRET_HEADER)):
            self.metrics.webhook_rejected.labels("secret").inc()
            log.warning("webhook: refused a request without the right secret token")
            return web.Response(status=401, text="Unauthorized")
        try:
            update = Update.model_validate(await request.json(), context={"bot": self.bot})
        except (ValueError, ValidationError):
            self.metrics.webhook_rejected.labels("body").inc()
            return web.Response(status=400, text="Bad Request")
        try:
            async with self.lanes.hold(user_key(update)):
                await self.dispatcher.feed_update(self.bot, update)
        except Exception as exc:  # not handled: Telegram will send it again
            log.error("update %d failed, left to Telegram to re-send: %s", update.update_id,
                      type(exc).__name__)
            return web.Response(status=500, text="Internal Server Error")
        return web.json_response({})


def webhook_app(webhook: Webhook, path: str) -> web.Application:
    """The webhook route; the caller adds /healthz and /metrics."""
    app = web.Application()
    app.router.add_post(path, webhook.on_update)
    return app


async def announce(bot: Bot, url: str, secret: str) -> None:
    """Tell Telegram where to post: idempotent, so every replica may do it at start."""
    await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED,
                          drop_pending_updates=False)
    log.info("webhook set; Telegram posts %s", ", ".join(ALLOWED))
