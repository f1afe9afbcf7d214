"""Self-tests: the fake Bot API delivers to a webhook the way Telegram does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError, TelegramNetworkError
from aiohttp import web

from .server import BotAPIServer
from .webhook import SECRET_HEADER

Answer = Callable[[web.Request, dict[str, object]], Awaitable[web.Response]]


class Receiver:
    """A webhook endpoint on 127.0.0.1 that records what it got and answers as told."""

    def __init__(self) -> None:
        self.got: list[tuple[int, str | None]] = []  # update id, secret header
        self.in_flight = 0
        self.most_in_flight = 0
        self.answer: Answer | None = None
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _on_post(self, request: web.Request) -> web.Response:
        update = await request.json()
        self.got.append((update["update_id"], request.headers.get(SECRET_HEADER)))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.answer is not None:
                return await self.answer(request, update)
            return web.json_response({})
        finally:
            self.in_flight -= 1

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._on_post)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = await Receiver().start()
    yield hook
    await hook.stop()


async def test_set_webhook_delivers_in_order_per_chat_with_the_secret(
    bot_api: BotAPIServer, aiogram_bot: Bot, receiver: Receiver
) -> None:
    slow = asyncio.Event()

    async def answer(_: web.Request, update: dict[str, object]) -> web.Response:
        if update["update_id"] == first.update_id:
            await slow.wait()  # the chat's next update must wait for this answer
        return web.json_response({})

    receiver.answer = answer
    assert await aiogram_bot.set_webhook(receiver.url, secret_token="s3cret_-X",
                                         allowed_updates=["message"])
    alice, bob = bot_api.user(1), bot_api.user(2)
    first, second = alice.send_text("a1"), alice.send_text("a2")
    other = bob.send_text("b1")
    await bot_api.wait_delivered(other.update_id)  # another chat is not held up
    assert [u for u, _ in receiver.got] == [first.update_id, other.update_id]
    slow.set()
    await bot_api.wait_delivered(second.update_id)
    assert [u for u, _ in receiver.got if u != other.update_id] == [
        first.update_id, second.update_id]
    assert {secret for _, secret in receiver.got} == {"s3cret_-X"}
    assert bot_api.pending_updates == []
    info = await aiogram_bot.get_webhook_info()
    assert info.url == receiver.url and info.allowed_updates == ["message"]
    with pytest.raises(TelegramConflictError):
        await aiogram_bot.get_updates()


async def test_failed_deliveries_are_sent_again(
    bot_api: BotAPIServer, aiogram_bot: Bot, receiver: Receiver
) -> None:
    statuses = iter([500, 401])

    async def answer(_: web.Request, __: dict[str, object]) -> web.Response:
        return web.Response(status=next(statuses, 200))

    receiver.answer = answer
    await aiogram_bot.set_webhook(receiver.url)
    sent = bot_api.user(3).send_text("again")
    await bot_api.wait_delivered(sent.update_id)
    assert [d.status for d in bot_api.webhook_log] == [500, 401, 200]
    assert bot_api.deliveries[sent.update_id] == 3
    assert (await aiogram_bot.get_webhook_info()).last_error_message == "401"


async def test_targets_alternate_and_replays_run_beside_the_queue(
    bot_api: BotAPIServer, aiogram_bot: Bot, receiver: Receiver
) -> None:
    second = await Receiver().start()
    try:
        bot_api.webhook_targets = [receiver.url, second.url]
        await aiogram_bot.set_webhook(receiver.url)
        user = bot_api.user(4)
        sent = [user.send_text(f"m{i}") for i in range(4)]
        await bot_api.wait_delivered(sent[-1].update_id)
        assert [d.target for d in bot_api.webhook_log] == [receiver.url, second.url] * 2
        user.resend(sent[0])
        await bot_api.wait(lambda: len(bot_api.webhook_log) == 5, 5, "the replay")
        assert bot_api.deliveries[sent[0].update_id] == 2
    finally:
        await second.stop()


async def test_post_with_any_secret(bot_api: BotAPIServer, receiver: Receiver) -> None:
    update = {"update_id": 7, "message": {"message_id": 1, "date": 0, "text": "x",
                                          "chat": {"id": 5, "type": "private"}}}
    assert (await bot_api.webhook.post(update, receiver.url)).ok
    await bot_api.webhook.post(update, receiver.url, secret="wrong")
    assert receiver.got == [(7, None), (7, "wrong")]


async def test_set_webhook_checks_url_and_secret(aiogram_bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="HTTPS"):
        await aiogram_bot.set_webhook("http://bot.example.org/hook")
    with pytest.raises(TelegramBadRequest, match="secret token"):
        await aiogram_bot.set_webhook("https://bot.example.org/hook", secret_token="no spaces")


async def test_stalled_call_times_out_and_changes_nothing(bot_api: BotAPIServer) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(bot_api.base_url), timeout=0.3)
    user = bot_api.user(6)
    async with Bot(bot_api.token, session=session) as bot:
        bot_api.stall_next("sendMessage", 2.0)
        with pytest.raises(TelegramNetworkError, match="timeout"):
            await bot.send_message(user.id, "lost")
        await bot.send_message(user.id, "arrives")
    await bot_api.wait(lambda: bot_api.calls_of("sendMessage")[0].status == 499, 5, "hang-up")
    assert [m.text for m in user.transcript] == ["arrives"]
