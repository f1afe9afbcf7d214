"""The person's rights: /mydata, /withdraw, /delete — as easy as giving consent."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from antragslotse.privacy import Privacy
from bot.callbacks import ConfirmDelete, Withdraw
from bot.people import language, owner
from bot.replies import after_tap, send
from bot.views import LIMIT, Reply, View
from dialogs.types import N_, Param, PartialDate, Role, Text, Verbatim, plural, t

router = Router(name="rights")
log = logging.getLogger(__name__)
MAX_DELETED = 1000  # Telegram only lets bots delete messages of the last 48 hours anyway
STATUS = {
    "new": N_("sent, not yet opened"),
    "received": N_("received by the secretariat"),
    "info_requested": N_("the secretariat needs more information"),
    "agenda": N_("on the agenda of the board"),
    "recommended": N_("the board gave its recommendation"),
    "withdrawn": N_("withdrawn"),
}


@router.message(Command("mydata"))
async def on_my_data(message: Message, bot: Bot, privacy: Privacy, view: View) -> None:
    assert message.from_user is not None
    data = await privacy.my_data(owner(message.from_user))
    lang = data.language or await language(privacy.intake, message.from_user)
    texts: list[Param] = [t(N_("This is everything this bot stores about you:"))]
    texts += data.sections or [t(N_("You have no draft here."))]
    for sent in data.submissions:
        texts.append(t(N_("Sent application {reference} ({date}): {status}."),
                       reference=Verbatim(sent.reference), date=_date(sent.submitted_at),
                       status=t(STATUS.get(sent.status, N_("sent")))))
        if sent.addenda:
            texts.append(plural("{n} addition was sent to it later.",
                                "{n} additions were sent to it later.", sent.addenda))
    if data.submissions:
        texts.append(t(N_("The bot can no longer read a sent application: only the "
                          "secretariat can. Ask the secretariat to see or delete it.")))
    for chunk in _chunks([view.text(x, lang) for x in texts]):
        await send(bot, message.chat.id, Reply(chunk))


@router.message(Command("withdraw"))
async def on_withdraw(message: Message, bot: Bot, privacy: Privacy, view: View) -> None:
    lang = await language(privacy.intake, message.from_user)
    rows = [[_button(view, lang, N_("My consent to health questions"), "health")],
            [_button(view, lang, N_("All my consent: delete everything"), "all")],
            [_button(view, lang, N_("Cancel"), "cancel")]]
    question = view.text(t(N_("What do you want to take back?")), lang)
    await send(bot, message.chat.id, Reply(question, InlineKeyboardMarkup(inline_keyboard=rows)))


@router.callback_query(Withdraw.filter())
async def on_withdraw_chosen(query: CallbackQuery, callback_data: Withdraw, privacy: Privacy,
                             view: View) -> None:
    await query.answer()
    lang = await language(privacy.intake, query.from_user)
    if callback_data.what == "all":
        await after_tap(query, view.confirm_delete(lang), in_place=True)
        return
    text = t(N_("Nothing was changed."))
    if callback_data.what == "health" and await privacy.withdraw_health(
            owner(query.from_user), Role.APPLICANT):
        text = t(N_("Your consent to health questions is taken back. Your health answers "
                    "and medical files were deleted. You can go on without them: /start"))
    await after_tap(query, Reply(view.text(text, lang)), in_place=True)


@router.message(Command("delete"))
async def on_delete(message: Message, bot: Bot, privacy: Privacy, view: View) -> None:
    lang = await language(privacy.intake, message.from_user)
    await send(bot, message.chat.id, view.confirm_delete(lang))


@router.callback_query(ConfirmDelete.filter())
async def on_delete_confirmed(query: CallbackQuery, callback_data: ConfirmDelete, bot: Bot,
                              privacy: Privacy, view: View) -> None:
    await query.answer()
    lang = await language(privacy.intake, query.from_user)
    if not callback_data.sure:
        await after_tap(query, Reply(view.text(t(N_("Nothing was deleted.")), lang)),
                        in_place=True)
        return
    erased = await privacy.erase(owner(query.from_user))
    if erased is None:
        text: Text = t(N_("There was nothing to delete."))
    else:
        await _clear_chat(bot, query, erased.first_message)
        text = t(N_("Deleted: {answers}, {files} and the key that protected them. I also "
                    "deleted our messages in this chat, as far as Telegram allows (the last "
                    "48 hours). Send /start to begin again."),
                 answers=plural("{n} answer", "{n} answers", erased.answers),
                 files=plural("{n} file", "{n} files", erased.files))
    await send(bot, query.from_user.id, Reply(view.text(text, lang), protect=False))


async def _clear_chat(bot: Bot, query: CallbackQuery, first: int | None) -> None:
    """Delete the chat's messages since the draft began, as far as Telegram allows."""
    if query.message is None or first is None:
        return
    last = query.message.message_id
    ids = list(range(max(first, last - MAX_DELETED), last + 1))
    for start in range(0, len(ids), 100):
        try:
            await bot.delete_messages(query.message.chat.id, ids[start : start + 100])
        except TelegramAPIError as exc:
            log.info("could not delete chat messages: %s", type(exc).__name__)


def _button(view: View, lang: str, label: str, what: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=view.text(t(label), lang),
                                callback_data=Withdraw(what=what).pack())


def _date(moment: datetime) -> Param:
    return PartialDate(moment.year, moment.month, moment.day)


def _chunks(parts: list[str]) -> list[str]:
    """Join texts into as few messages as fit Telegram's limit."""
    chunks: list[str] = []
    for part in parts:
        for piece in [part[i : i + LIMIT] for i in range(0, len(part), LIMIT)] or [""]:
            if chunks and len(chunks[-1]) + 2 + len(piece) <= LIMIT:
                chunks[-1] += "\n\n" + piece
            else:
                chunks.append(piece)
    return chunks
