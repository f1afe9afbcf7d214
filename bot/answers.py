"""Answers: button taps, typed text, and content that does not fit."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message, Update

from antragslotse.intake import Intake
from bot import filters
from bot.callbacks import Tap
from bot.commands import on_start
from bot.people import language, owner
from bot.replies import after_tap, outgoing, send
from bot.views import Reply, View
from dialogs.inputs import Action, Press, Say
from dialogs.types import N_, Role, t
from locales.catalogs import Catalogs

# Button taps and typed answers are most of the traffic: ``typed`` is the dispatcher's first
# router, so they skip every command's filter. A command never matches it (``filters.answer``
# excludes text starting with "/"); ``router``, the last one, takes what nobody else did.
typed = Router(name="typed answers")
router = Router(name="answers")


@typed.callback_query(Tap.filter())
async def on_tap(query: CallbackQuery, callback_data: Tap, intake: Intake, view: View,
                 event_update: Update) -> None:
    await query.answer()
    try:
        action = Action(callback_data.action)
    except ValueError:  # a forged button: treat it like a stale one
        action = Action.HELP
    press = Press(callback_data.path, action, callback_data.value)
    shown = await intake.answer(owner(query.from_user), press, Role.APPLICANT,
                                event_update.update_id, view.turn)
    if shown is None:
        return
    turn, reply = shown
    same = turn.screen is not None and turn.screen.path == press.path and not turn.notes
    await after_tap(query, reply, in_place=same)


@router.callback_query()
async def on_unknown_tap(query: CallbackQuery, intake: Intake, view: View) -> None:
    """Buttons whose data we cannot read (forged, or from an older version)."""
    lang = await language(intake, query.from_user)
    await query.answer(view.text(t(N_("That button belongs to an earlier question.")), lang))
    turn = await intake.show(owner(query.from_user))
    if turn is not None:
        await after_tap(query, view.turn(turn), in_place=False)


@typed.message(filters.answer)
async def on_text(message: Message, bot: Bot, intake: Intake, view: View, catalogs: Catalogs,
                  event_update: Update) -> None:
    assert message.from_user is not None and message.text is not None
    chat = message.chat.id
    shown = await intake.answer(owner(message.from_user), Say(message.text), Role.APPLICANT,
                                event_update.update_id,
                                lambda turn: outgoing(chat, view.turn(turn)))
    if shown is None:
        return
    turn, reply = shown
    if turn.screen is None and not turn.notes:  # no draft (any more): start one
        await on_start(message, bot, intake, view, catalogs)
    else:
        await bot(reply)


@router.message()
async def on_other(message: Message, bot: Bot, intake: Intake, view: View) -> None:
    """Stickers, locations, contacts, polls…: a kind hint, and the question again."""
    assert message.from_user is not None
    lang = await language(intake, message.from_user)
    hint = view.text(t(N_("I cannot use this kind of message here. Please write your answer "
                          "or use the buttons.")), lang)
    turn = await intake.show(owner(message.from_user))
    reply = view.turn(turn) if turn is not None else Reply("")
    await send(bot, message.chat.id, Reply(f"{hint}\n\n{reply.text}".strip(), reply.markup))
