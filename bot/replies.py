"""Send or update messages; a failed cosmetic edit never loses the answer itself."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, InaccessibleMessage, Message

from bot.views import Reply

log = logging.getLogger(__name__)


def outgoing(chat_id: int, reply: Reply) -> SendMessage:
    """The Bot API call that sends ``reply``: it can be built before it may be sent."""
    return SendMessage(chat_id=chat_id, text=reply.text, reply_markup=reply.markup,
                       protect_content=reply.protect)


async def send(bot: Bot, chat_id: int, reply: Reply) -> Message:
    return await bot(outgoing(chat_id, reply))


async def after_tap(query: CallbackQuery, reply: Reply, *, in_place: bool) -> None:
    """Update the tapped message in place, or close it and send the reply as a new message."""
    message = query.message
    if message is None or isinstance(message, InaccessibleMessage) or query.bot is None:
        if query.bot is not None:
            await send(query.bot, query.from_user.id, reply)
        return
    try:
        if in_place:
            await message.edit_text(reply.text, reply_markup=reply.markup)
            return
        await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest:  # too old to edit, or unchanged: harmless
        log.debug("could not edit a message")
        if in_place:
            return
    await send(query.bot, message.chat.id, reply)
