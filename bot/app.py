"""The composition root of the Telegram bot: builds every object, then polls."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.types import BotCommand, ErrorEvent

from antragslotse import wiring
from antragslotse.intake import Intake
from antragslotse.presenter import Presenter
from antragslotse.privacy import Privacy
from antragslotse.retention import Schedule
from antragslotse.settings import Settings
from bot import answers, commands, rights, uploads
from bot.commands import COMMANDS
from bot.people import language
from bot.polling import Poller
from bot.replies import send
from bot.schedule import run_schedule
from bot.views import Reply, View
from dialogs.types import N_, t
from locales.catalogs import Catalogs
from storage.retention import Janitor

log = logging.getLogger(__name__)
SORRY = N_("Sorry, something went wrong on our side. Your answers are safe. Please try again.")


def dispatcher(intake: Intake, view: View, catalogs: Catalogs) -> Dispatcher:
    dp = Dispatcher(intake=intake, privacy=Privacy(intake), view=view, catalogs=catalogs)
    dp.include_routers(rights.router, commands.router, uploads.router, answers.router)

    @dp.errors()
    async def on_error(event: ErrorEvent, bot: Bot) -> None:
        log.error("handler failed: %s", type(event.exception).__name__)
        source = event.update.callback_query or event.update.message
        user = source.from_user if source is not None else None
        if user is not None:
            lang = await language(intake, user)
            await send(bot, user.id, Reply(view.text(t(SORRY), lang)))

    return dp


async def register_commands(bot: Bot, view: View, catalogs: Catalogs) -> None:
    """The command menu in every offered language (Telegram picks by the user's language)."""
    for lang in catalogs.languages:
        menu = [BotCommand(command=c, description=view.text(t(d), lang.code)[:256])
                for c, d in COMMANDS.items()]
        code = None if lang.code == "en" else lang.code
        if code is None or len(code) == 2:
            await bot.set_my_commands(menu, language_code=code)


async def run(settings: Settings) -> None:
    """Run the bot in long-polling mode until SIGINT or SIGTERM."""
    if settings.bot_token is None:
        raise wiring.SetupError("BOT_TOKEN is not set")
    board = wiring.profile(settings)
    catalogs = Catalogs()
    view = View(Presenter(wiring.renderer(catalogs, board), board))
    store = await wiring.store(settings, board)
    intake = Intake(store, wiring.interview(), dt.date.today, settings.default_language)
    api = TelegramAPIServer.from_base(settings.telegram_api_base) \
        if settings.telegram_api_base else PRODUCTION
    bot = Bot(settings.bot_token.get_secret_value(), session=AiohttpSession(api=api))
    poller = Poller(bot, dispatcher(intake, view, catalogs), settings.polling_timeout)
    stopping = asyncio.Event()

    def stop() -> None:
        stopping.set()
        poller.stop()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    if catalogs.incomplete:
        log.warning("not offered, catalog incomplete: %s", ", ".join(catalogs.incomplete))
    sweeper = asyncio.create_task(run_schedule(
        Schedule(Janitor(store), board), bot, view, settings.retention_interval, stopping))
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        await register_commands(bot, view, catalogs)
        log.info("polling %s", "a local Bot API server" if settings.telegram_api_base
                 else "Telegram")
        await poller.run()
    finally:
        stop()
        await sweeper
        await bot.session.close()
        await store.close()
