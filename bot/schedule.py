"""The retention schedule inside the bot process: sweep now and then, send what it says."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from antragslotse.retention import Schedule
from bot.views import View

log = logging.getLogger(__name__)


async def run_schedule(schedule: Schedule, bot: Bot, view: View, every: float,
                       stop: asyncio.Event) -> None:
    """Sweep every ``every`` seconds until ``stop`` is set; a failed sweep is retried later."""
    while not stop.is_set():
        try:
            notices = await schedule.sweep(dt.datetime.now(dt.UTC))
        except Exception as exc:  # the database may be briefly away: try again next time
            log.warning("retention sweep failed: %s", type(exc).__name__)
            notices = []
        for notice in notices:
            channel, _, address = notice.contact.partition(":")
            if channel != "tg" or not address.isdigit():
                continue
            try:
                await bot.send_message(int(address), view.text(notice.text, notice.language))
            except TelegramAPIError as exc:  # blocked the bot, or deleted the chat
                log.info("retention notice not delivered: %s", type(exc).__name__)
        if notices:
            log.info("retention: %d notice(s) sent", len(notices))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
