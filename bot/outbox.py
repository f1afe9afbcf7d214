"""Deliver the outbox: the secretariat's chat hears of new applications (reference and flags
only), applicants hear of status changes in their own language. Telegram's answers decide
what happens next: wait ``retry_after``, back off on 5xx and timeouts, stop for a blocked bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.views import View
from dialogs import flow
from dialogs.model import Interview
from dialogs.types import N_, Join, Param, PartialDate, Text, Verbatim, t
from storage.outbox import APPLICANT, Courier, Notice

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
STATUS_TEXTS = {
    "received": N_("Your application {reference} has arrived at the secretariat. It will "
                   "check it and contact you."),
    "info_requested": N_("The secretariat needs more for your application {reference}: "
                         "{missing}. Please bring it to the secretariat or contact it."),
    "agenda": N_("Your application {reference} is on the agenda of the board's meeting on "
                 "{date}."),
    "recommended": N_("The board has given its recommendation on your application "
                      "{reference}. The secretariat will tell you what it means for you."),
    "withdrawn": N_("Your application {reference} was withdrawn."),
}


class Deliveries:
    """One pass over the due notices; ``run`` repeats it until stopped."""

    def __init__(self, courier: Courier, bot: Bot, view: View, interview: Interview,
                 secretariat_chat: int | None,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.courier = courier
        self.bot = bot
        self.view = view
        self.interview = interview
        self.secretariat_chat = secretariat_chat
        self.clock = clock

    async def run(self, every: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.deliver()
            except Exception as exc:  # the database may be briefly away: next round
                log.warning("outbox round failed: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    async def deliver(self) -> int:
        """Send what is due; returns how many went out."""
        sent = 0
        for notice in await self.courier.due(self.clock()):
            if await self.courier.claim(notice, self.clock()):
                sent += await self._send(notice)
        return sent

    async def _send(self, notice: Notice) -> int:
        target = await self._target(notice)
        if target is None:
            await self.courier.give_up(notice, self.clock())
            return 0
        chat, text = target
        try:
            await self.bot.send_message(chat, text, protect_content=True)
            return 1
        except TelegramRetryAfter as exc:
            await self.courier.later(notice, self.clock() + dt.timedelta(seconds=exc.retry_after))
        except (TelegramServerError, TelegramNetworkError) as exc:
            if notice.attempts + 1 >= MAX_ATTEMPTS:
                await self.courier.give_up(notice, self.clock())
            else:
                wait = dt.timedelta(seconds=min(5 * 2 ** notice.attempts, 3600))
                await self.courier.later(notice, self.clock() + wait)
            log.info("notice %d postponed: %s", notice.id, type(exc).__name__)
        except (TelegramForbiddenError, TelegramBadRequest) as exc:  # blocked, or chat gone
            await self.courier.give_up(notice, self.clock())
            log.info("notice %d given up: %s", notice.id, type(exc).__name__)
        return 0

    async def _target(self, notice: Notice) -> tuple[int, str] | None:
        if notice.audience != APPLICANT:
            if self.secretariat_chat is None:
                return None
            if notice.event == "addendum":
                number = int(notice.params.get("number") or 0)
                return self.secretariat_chat, f"Nachtrag {number} zu {notice.reference}"
            flag = " (Eilfall)" if notice.params.get("urgent") else ""
            return self.secretariat_chat, f"Neuer Antrag {notice.reference}{flag}"
        found = await self.courier.address(notice.reference)
        msgid = STATUS_TEXTS.get(str(notice.params.get("status")))
        if found is None or msgid is None or not found[0].startswith("tg:"):
            return None
        contact, language = found
        return int(contact[3:]), self.view.text(self._text(msgid, notice), language)

    def _text(self, msgid: str, notice: Notice) -> Text:
        params: dict[str, Param] = {"reference": Verbatim(notice.reference)}
        meeting = notice.params.get("meeting")
        if meeting:
            year, month, day = (int(x) for x in str(meeting).split("-"))
            params["date"] = PartialDate(year, month, day)
        labels: list[Param] = []
        for path in notice.params.get("missing") or []:
            step = flow.locate(self.interview, str(path))
            labels.append(t(step.question.review_label) if step else Verbatim(str(path)))
        params["missing"] = Join(tuple(labels)) if labels else t(N_("documents"))
        return Text(msgid, params)
