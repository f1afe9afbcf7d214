"""Commands: /start, /review, /language, /help, /privacy (/add, /mydata, /withdraw and
/delete have their own modules)."""

from __future__ import annotations

from dataclasses import replace

from aiogram import Bot, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message, Update

from antragslotse.intake import Intake
from bot import filters
from bot.callbacks import PickLanguage
from bot.people import language, owner
from bot.replies import after_tap, send
from bot.views import Reply, View
from dialogs.content.start import PRIVACY_DETAILS, PRIVACY_NOTICE
from dialogs.types import N_, Verbatim, t
from locales.catalogs import Catalogs

router = Router(name="commands")
COMMANDS = {
    "start": N_("Start or continue your application"),
    "review": N_("See and change your answers"),
    "language": N_("Change the language"),
    "help": N_("How this works, and where to get help"),
    "add": N_("Add new facts or documents to a sent application"),
    "privacy": N_("Who reads your data, and how it is protected"),
    "mydata": N_("See everything that is stored about you"),
    "withdraw": N_("Take back your consent"),
    "delete": N_("Delete all your answers and files"),
}
SENT_BEFORE = N_("You have already sent the application {reference}. To add new facts or "
                 "documents to it, send /add. To start a new application, choose a language.")
HELP = N_(
    "I ask you the questions of the application, one at a time. Answer with the buttons, "
    "or write your answer. \"⬅ Back\" goes one step back; nothing is lost.\n\n"
    "/start continues where you stopped. /review shows all your answers. /language changes "
    "the language. /add adds new facts or documents to an application you sent. /privacy "
    "explains how your data is protected. /delete deletes everything.")


@router.message(CommandStart())
async def on_start(message: Message, bot: Bot, intake: Intake, view: View,
                   catalogs: Catalogs) -> None:
    assert message.from_user is not None
    who = owner(message.from_user)
    turn = await intake.show(who)
    if turn is None:
        known = await intake.language_of(who)  # of an application sent before, if any
        lang = known or catalogs.match(message.from_user.language_code, intake.default_language)
        sent = await intake.open_applications(who)
        if sent:  # sent before: say how to add to it, then offer a new application
            hint = t(SENT_BEFORE, reference=Verbatim(sent[-1].reference))
            await send(bot, message.chat.id, Reply(view.text(hint, lang)))
        await send(bot, message.chat.id, view.picker(catalogs.languages, lang, lang))
        return
    welcome = t(N_("Welcome back! Here is where you stopped."))
    await send(bot, message.chat.id, view.turn(replace(turn, notes=(welcome,))))


@router.callback_query(PickLanguage.filter())
async def on_language(query: CallbackQuery, callback_data: PickLanguage, intake: Intake,
                      view: View, catalogs: Catalogs, event_update: Update) -> None:
    await query.answer()
    if catalogs.offers(callback_data.code):
        picker = query.message.message_id if query.message else None
        turn = await intake.begin(owner(query.from_user), callback_data.code,
                                  event_update.update_id, picker - 1 if picker else None)
        if turn is not None:
            await after_tap(query, view.turn(turn), in_place=False)


@router.message(Command("language"))
async def on_language_command(message: Message, bot: Bot, intake: Intake, view: View,
                              catalogs: Catalogs) -> None:
    lang = await language(intake, message.from_user)
    await send(bot, message.chat.id, view.picker(catalogs.languages, lang, lang))


@router.message(Command("review"))
async def on_review(message: Message, bot: Bot, intake: Intake, view: View,
                    event_update: Update) -> None:
    assert message.from_user is not None
    turn = await intake.review(owner(message.from_user), event_update.update_id)
    if turn is not None:
        await send(bot, message.chat.id, view.turn(turn))


@router.message(Command("help"))
async def on_help(message: Message, bot: Bot, intake: Intake, view: View) -> None:
    lang = await language(intake, message.from_user)
    text = view.text(t(HELP), lang) + "\n\n" + view.referral("counselling", lang)
    await send(bot, message.chat.id, Reply(text, protect=False))


@router.message(Command("privacy"))
async def on_privacy(message: Message, bot: Bot, intake: Intake, view: View) -> None:
    lang = await language(intake, message.from_user)
    text = view.text(t(PRIVACY_NOTICE), lang) + "\n\n" + view.text(t(PRIVACY_DETAILS), lang)
    await send(bot, message.chat.id, Reply(text, protect=False))


@router.message(filters.command)
async def on_unknown_command(message: Message, bot: Bot, intake: Intake, view: View) -> None:
    lang = await language(intake, message.from_user)
    hint = t(N_("I do not know this command. /help shows what I can do."))
    await send(bot, message.chat.id, Reply(view.text(hint, lang)))
