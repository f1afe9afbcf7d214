"""/add: new facts or documents for an application already sent (a Nachtrag)."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from antragslotse.intake import Intake
from bot.callbacks import AddTo
from bot.people import language, owner
from bot.replies import after_tap, send
from bot.views import Reply, View
from dialogs.types import N_, Verbatim, t

router = Router(name="addenda")
NOTHING_SENT = N_("You have not sent an application yet. /start begins one.")
WHICH = N_("Which application do you want to add something to?")
NOT_YOURS = N_("I cannot find this application. Maybe it was withdrawn.")
ALL_CLOSED = N_("Your application {reference} is closed: it was withdrawn, or the board has "
                "given its recommendation. Nothing can be added to it any more. If something "
                "important has changed, you can start a new application with /start.")


@router.message(Command("add"))
async def on_add(message: Message, bot: Bot, intake: Intake, view: View,
                 event_update: Update) -> None:
    assert message.from_user is not None
    who = owner(message.from_user)
    lang = await language(intake, message.from_user)
    sent = await intake.open_applications(who)
    if not sent:
        closed = await intake.submitted(who)
        text = t(ALL_CLOSED, reference=Verbatim(closed[-1].reference)) if closed \
            else t(NOTHING_SENT)
        await send(bot, message.chat.id, Reply(view.text(text, lang)))
    elif len(sent) == 1:
        turn = await intake.begin_addendum(who, sent[0].reference, lang, event_update.update_id,
                                           message.message_id)
        if turn is not None:
            await send(bot, message.chat.id, view.turn(turn))
    else:  # e.g. a helper who applied for several people
        rows = [[InlineKeyboardButton(text=s.reference,
                                      callback_data=AddTo(reference=s.reference).pack())]
                for s in sent]
        await send(bot, message.chat.id, Reply(view.text(t(WHICH), lang),
                                               InlineKeyboardMarkup(inline_keyboard=rows)))


@router.callback_query(AddTo.filter())
async def on_add_to(query: CallbackQuery, callback_data: AddTo, intake: Intake, view: View,
                    event_update: Update) -> None:
    lang = await language(intake, query.from_user)
    keyboard = query.message.message_id if query.message else None
    turn = await intake.begin_addendum(owner(query.from_user), callback_data.reference, lang,
                                       event_update.update_id, keyboard - 1 if keyboard else None)
    if turn is None:  # forged, or withdrawn meanwhile
        await query.answer(view.text(t(NOT_YOURS), lang), show_alert=True)
        return
    await query.answer()
    await after_tap(query, view.turn(turn), in_place=False)
