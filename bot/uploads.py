"""Photos, PDFs and voice notes: checked, downloaded, stored encrypted, deleted from the chat."""

from __future__ import annotations

import io
import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Message, Update

from antragslotse.intake import Intake
from bot import filters
from bot.commands import on_start
from bot.files import MAX_BYTES, sniff
from bot.people import owner
from bot.replies import send
from bot.views import Reply, View
from dialogs.types import N_, Role, Text, t
from locales.catalogs import Catalogs

router = Router(name="uploads")
log = logging.getLogger(__name__)

TOO_BIG = N_("This file is too big. Files can be at most 20 MB. Please send a smaller photo, "
             "or split the PDF.")
WRONG_TYPE = N_("I cannot use this file. Please send a photo (JPEG or PNG) or a PDF file.")
NOT_HERE = {
    "file": N_("Please send photos or PDF files only when I ask for a document."),
    "voice": N_("A voice message does not fit here. Please write your answer, or use the "
                "buttons."),
}


@router.message(filters.file)
async def on_file(message: Message, bot: Bot, intake: Intake, view: View, catalogs: Catalogs,
                  event_update: Update) -> None:
    assert message.from_user is not None
    who = owner(message.from_user)
    turn = await intake.show(who)
    if turn is None or turn.screen is None:
        await on_start(message, bot, intake, view, catalogs)
        return
    wanted = "voice" if message.voice else "file"
    problem = _problem(message, wanted, turn.screen.accepts)
    data = None if problem else await _download(bot, message)
    found = sniff(data) if data is not None else None
    if problem is None and (found is None or (found[0] == "voice") != (wanted == "voice")):
        problem = t(WRONG_TYPE)
    if problem is not None or data is None or found is None:
        reply = view.turn(turn)
        note = view.text(problem or t(WRONG_TYPE), turn.language)
        await send(bot, message.chat.id, Reply(f"{note}\n\n{reply.text}", reply.markup))
        return
    kind, mime = found
    stored = await intake.add_file(who, data, kind, mime, Role.APPLICANT, event_update.update_id)
    await _delete_from_chat(bot, message)
    if stored is not None:
        await send(bot, message.chat.id, view.turn(stored))


def _problem(message: Message, wanted: str, accepts: frozenset[str]) -> Text | None:
    if wanted not in accepts:
        return t(NOT_HERE[wanted])
    size = _size(message)
    if size is None or size > MAX_BYTES:
        return t(TOO_BIG)
    return None


def _size(message: Message) -> int | None:
    if message.photo:
        return message.photo[-1].file_size or 0
    media = message.document or message.voice
    return None if media is None else (media.file_size or 0)


async def _download(bot: Bot, message: Message) -> bytes | None:
    file_id = (message.photo[-1].file_id if message.photo
               else (message.document or message.voice).file_id)  # type: ignore[union-attr]
    buffer = io.BytesIO()
    try:
        await bot.download(file_id, destination=buffer)
    except TelegramAPIError as exc:
        log.warning("download failed: %s", type(exc).__name__)
        return None
    data = buffer.getvalue()
    return data if 0 < len(data) <= MAX_BYTES else None


async def _delete_from_chat(bot: Bot, message: Message) -> None:
    """The file is stored encrypted; the chat copy goes (allowed within 48 h)."""
    try:
        await bot.delete_message(message.chat.id, message.message_id)
    except TelegramAPIError as exc:
        log.info("could not delete an upload from the chat: %s", type(exc).__name__)
