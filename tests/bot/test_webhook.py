"""The webhook endpoint: the secret token first, the answer only after the handler."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Message
from aiohttp.test_utils import TestClient, TestServer

from bot.metrics import Metrics
from bot.webhook import SECRET_HEADER, Webhook, webhook_app

SECRET = "a-Secret_token-0123456789"
Client = TestClient[Any, Any]


class Recorder:
    """A dispatcher whose one handler records texts and can be held or made to fail."""

    def __init__(self) -> None:
        self.dispatcher = Dispatcher()
        self.texts: list[str] = []
        self.running: dict[int, int] = {}
        self.most: dict[int, int] = {}
        self.gate = asyncio.Event()
        self.gate.set()
        self.dispatcher.message()(self.on_message)

    async def on_message(self, message: Message) -> None:
        user = message.chat.id
        self.running[user] = self.running.get(user, 0) + 1
        self.most[user] = max(self.most.get(user, 0), self.running[user])
        try:
            await self.gate.wait()
            if message.text == "fail":
                raise RuntimeError("bug")
            self.texts.append(message.text or "")
        finally:
            self.running[user] -= 1


def update(update_id: int, text: str, user: int = 1) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text, "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": "T"}}}


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def client(recorder: Recorder, metrics: Metrics) -> AsyncIterator[Client]:
    bot = Bot("42:TEST")
    hook = Webhook(bot, recorder.dispatcher, SECRET, metrics)
    test = TestClient(TestServer(webhook_app(hook, "/telegram")))
    await test.start_server()
    yield test
    await test.close()
    await bot.session.close()


async def post(client: Client, body: Any, secret: str | None = SECRET) -> int:
    headers = {} if secret is None else {SECRET_HEADER: secret}
    async with client.post("/telegram", json=body, headers=headers) as response:
        return response.status


async def test_the_secret_token_is_required(client: Client, recorder: Recorder,
                                           metrics: Metrics) -> None:
    assert await post(client, update(1, "no secret"), secret=None) == 401
    assert await post(client, update(2, "wrong"), secret="a-Secret_token-0123456780") == 401
    assert await post(client, update(3, "short"), secret="a") == 401
    assert recorder.texts == []  # nothing was read or handled
    assert await post(client, update(4, "right")) == 200
    assert recorder.texts == ["right"]
    assert metrics.registry.get_sample_value(
        "antragslotse_webhook_rejected_total", {"reason": "secret"}) == 3


async def test_bodies_that_are_no_update_are_refused(client: Client) -> None:
    async with client.post("/telegram", data=b"{not json", headers={SECRET_HEADER: SECRET}) as r:
        assert r.status == 400
    assert await post(client, [1, 2]) == 400
    assert await post(client, {"update_id": "x"}) == 400


async def test_a_failed_update_is_answered_500_so_telegram_sends_it_again(
    client: Client, recorder: Recorder
) -> None:
    assert await post(client, update(1, "fail")) == 500
    assert await post(client, update(2, "fine")) == 200


async def test_telegram_is_answered_only_after_the_handler(client: Client,
                                                           recorder: Recorder) -> None:
    recorder.gate.clear()
    answered = asyncio.create_task(post(client, update(1, "slow")))
    await asyncio.sleep(0.2)
    assert not answered.done() and recorder.texts == []
    recorder.gate.set()
    assert await answered == 200 and recorder.texts == ["slow"]


async def test_one_users_updates_run_one_at_a_time(client: Client, recorder: Recorder) -> None:
    recorder.gate.clear()
    posts = [asyncio.create_task(post(client, update(i, f"m{i}", user=1 + i % 2)))
             for i in range(6)]
    await asyncio.sleep(0.2)
    assert recorder.running == {1: 1, 2: 1}  # users in parallel, each one at a time
    recorder.gate.set()
    assert await asyncio.gather(*posts) == [200] * 6
    assert recorder.most == {1: 1, 2: 1}
