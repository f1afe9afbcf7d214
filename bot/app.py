"""The composition root of the Telegram bot: builds every object, then polls or serves a webhook."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import signal
from collections.abc import Awaitable

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetUpdates,
    SendMessage,
)
from aiogram.methods.base import Response
from aiogram.types import BotCommand, ErrorEvent
from aiohttp import web
from redis.asyncio import Redis

from antragslotse import wiring
from antragslotse.intake import Intake
from antragslotse.presenter import Presenter
from antragslotse.privacy import Privacy
from antragslotse.retention import Schedule
from antragslotse.settings import Settings
from bot import addenda, answers, commands, rights, uploads
from bot.commands import COMMANDS
from bot.health import Health, add_routes, ops_app, serve
from bot.metrics import Measure, Metrics
from bot.outbox import Deliveries
from bot.people import language
from bot.polling import Poller
from bot.replies import send
from bot.retries import RetryRequests, RetryUpdates, passing
from bot.schedule import run_schedule
from bot.throttle import Buckets, MemoryBuckets, RedisBuckets, Throttle, hashed_keys
from bot.views import Reply, View
from bot.webhook import Webhook, announce, webhook_app
from dialogs.types import N_, t
from locales.catalogs import Catalogs
from storage.outbox import Courier
from storage.retention import Janitor
from storage.sql import SqlStore

log = logging.getLogger(__name__)
_PARSED = (GetUpdates, SendMessage, EditMessageText, EditMessageReplyMarkup, AnswerCallbackQuery,
           GetFile)  # the Bot API calls whose answers the bot parses on every update
_RESPONSES: list[type] = []  # their response classes, held (see settle)
YOUNG_THRESHOLD = 10_000  # net allocations between collections of the youngest generation
SORRY = N_("Sorry, something went wrong on our side. Your answers are safe. Please try again.")


def dispatcher(intake: Intake, view: View, catalogs: Catalogs,
               *middlewares: BaseMiddleware) -> Dispatcher:
    """Routers and the error handler; ``middlewares`` wrap every update, outermost first."""
    # No aiogram FSM: where a person is in the interview lives in their encrypted draft.
    dp = Dispatcher(intake=intake, privacy=Privacy(intake), view=view, catalogs=catalogs,
                    disable_fsm=True)
    for middleware in middlewares:
        dp.update.outer_middleware(middleware)
    dp.include_routers(answers.typed, rights.router, addenda.router, commands.router,
                       uploads.router, answers.router)

    # A passing fault (Telegram or the database briefly away) is not handled here: it goes
    # up, so the webhook answers 500 and Telegram sends the update again.
    async def not_passing(event: ErrorEvent) -> bool:  # a coroutine: no thread hop (bot.filters)
        return not passing(event.exception)

    @dp.errors(not_passing)
    async def on_error(event: ErrorEvent, bot: Bot) -> None:
        log.error("handler failed: %s", type(event.exception).__name__)
        source = event.update.callback_query or event.update.message
        user = source.from_user if source is not None else None
        if user is not None:
            lang = await language(intake, user)
            await send(bot, user.id, Reply(view.text(t(SORRY), lang)))

    return dp


def settle() -> None:
    """Keep what every update needs, then move everything built so far out of the garbage
    collector's sight.

    aiogram parses each answer of the Bot API with a class ``Response[T]`` that it builds on
    the spot; pydantic keeps such classes only weakly, so they were collected and built again
    (a few ms of schema work each) every few updates: the bot holds those it parses on every
    update. aiogram, pydantic and the catalogs leave some hundred thousand long-lived objects
    (aiogram alone ~165 MiB); a full collection walks all of them, ~200 ms here, stalling
    every update in flight. Frozen, they are never walked again (a full collection: ~2 ms).

    The youngest generation is collected after 10,000 net allocations instead of 700: an
    update allocates bursts of short-lived objects (aiogram's models) that reference
    counting frees anyway, and at 700 such bursts started ~850 collections per 4,800
    updates with 16 in flight, each walking every object of the updates in flight (~85 µs),
    for no garbage (bench: ~4% more updates/s). Cycles are still collected as they build up.
    """
    _RESPONSES[:] = [Response[m.__returning__] for m in _PARSED]  # type: ignore[name-defined]
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])


async def register_commands(bot: Bot, view: View, catalogs: Catalogs) -> None:
    """The command menu in every offered language (Telegram picks by the user's language)."""
    for lang in catalogs.languages:
        menu = [BotCommand(command=c, description=view.text(t(d), lang.code)[:256])
                for c, d in COMMANDS.items()]
        code = None if lang.code == "en" else lang.code
        if code is None or len(code) == 2:
            await bot.set_my_commands(menu, language_code=code)


def telegram(settings: Settings, metrics: Metrics) -> Bot:
    """The Bot API client: the configured server, a timeout, retries on Telegram's faults."""
    assert settings.bot_token is not None
    api = TelegramAPIServer.from_base(settings.telegram_api_base) \
        if settings.telegram_api_base else PRODUCTION
    session = AiohttpSession(api=api, timeout=settings.telegram_timeout)
    session.middleware(RetryRequests(metrics))
    return Bot(settings.bot_token.get_secret_value(), session=session)


def throttle(settings: Settings, store: SqlStore, redis: Redis | None, intake: Intake,
             view: View, metrics: Metrics) -> Throttle:
    """Flood limits per person: shared through Redis if there is one, else in this process."""
    rate, burst = settings.throttle_rate, settings.throttle_burst
    buckets: Buckets = MemoryBuckets(rate, burst) if redis is None \
        else RedisBuckets(redis, rate, burst)

    # Redis sees a keyed hash, never a Telegram id; its key is derived from the keyring once.
    key = hashed_keys(store.keyring.blind("throttle key", ""))
    return Throttle(buckets, key, intake, view, metrics)


async def run(settings: Settings) -> None:
    """Run the bot until SIGINT or SIGTERM: long polling, or a webhook server."""
    if settings.bot_token is None:
        raise wiring.SetupError("BOT_TOKEN is not set")
    board = wiring.profile(settings)
    catalogs = Catalogs()
    view = View(Presenter(wiring.renderer(catalogs, board), board))
    store = await wiring.store(settings, board)
    interview = wiring.interview()
    intake = Intake(store, interview, dt.date.today, settings.default_language)
    metrics = Metrics()
    bot = telegram(settings, metrics)
    redis = Redis.from_url(settings.redis_url, socket_timeout=1.0, socket_connect_timeout=1.0) \
        if settings.redis_url else None  # a slow Redis must not hold updates up: they pass
    flood = throttle(settings, store, redis, intake, view, metrics)
    dp = dispatcher(intake, view, catalogs, flood, Measure(metrics), RetryUpdates())
    health = Health(store, catalogs, settings.default_language)
    settle()
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stopping.set)
    if catalogs.incomplete:
        log.warning("not offered, catalog incomplete: %s", ", ".join(catalogs.incomplete))
    outbox = Deliveries(Courier(store.engine, store.keys_for), bot, view, interview,
                        settings.secretariat_chat_id)
    tasks = [asyncio.create_task(run_schedule(
        Schedule(Janitor(store), board), bot, view, settings.retention_interval, stopping)),
        asyncio.create_task(outbox.run(settings.outbox_interval, stopping))]
    host, _ = settings.listen_address
    if settings.metrics_port:
        tasks.append(asyncio.create_task(
            serve(ops_app(health, metrics), host, settings.metrics_port, stopping)))
    try:
        await register_commands(bot, view, catalogs)
        if settings.mode == "webhook":
            await _serve_webhook(settings, bot, dp, health, metrics, stopping)
        else:
            await _poll(settings, bot, dp, stopping)
    finally:
        stopping.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await _close(bot, redis, store)


async def _poll(settings: Settings, bot: Bot, dp: Dispatcher, stopping: asyncio.Event) -> None:
    poller = Poller(bot, dp, settings.polling_timeout)
    await bot.delete_webhook(drop_pending_updates=False)
    log.info("polling %s", "a local Bot API server" if settings.telegram_api_base
             else "Telegram")
    waiting = asyncio.create_task(stopping.wait())
    waiting.add_done_callback(lambda _: poller.stop())
    try:
        await poller.run()
    finally:
        waiting.cancel()


async def _serve_webhook(settings: Settings, bot: Bot, dp: Dispatcher, health: Health,
                         metrics: Metrics, stopping: asyncio.Event) -> None:
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    secret = settings.webhook_secret.get_secret_value()
    app: web.Application = webhook_app(Webhook(bot, dp, secret, metrics), settings.webhook_path)
    add_routes(app, health, metrics)
    ready = asyncio.Event()
    host, port = settings.listen_address
    server = asyncio.create_task(serve(app, host, port, stopping, ready))
    await _first(ready.wait(), server)
    if not server.done():
        await announce(bot, settings.webhook_url, secret)
    await server


async def _first(awaitable: Awaitable[object], task: asyncio.Task[None]) -> None:
    """Wait for ``awaitable`` unless ``task`` ends first (e.g. the port is taken)."""
    waiting = asyncio.ensure_future(awaitable)
    await asyncio.wait({waiting, task}, return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()


async def _close(bot: Bot, redis: Redis | None, store: SqlStore) -> None:
    await bot.session.close()
    if redis is not None:
        await redis.aclose()
    await store.close()
