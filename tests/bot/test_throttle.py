"""Flood protection: a token bucket per person, once a kind word, then silence."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from aiogram import Bot
from aiogram.types import TelegramObject, Update
from redis.asyncio import Redis

from antragslotse.intake import Intake
from antragslotse.presenter import Presenter
from antragslotse.profile import load_profile
from antragslotse.settings import PACKAGED_PROFILE
from antragslotse.wiring import renderer
from bot.metrics import Metrics
from bot.throttle import SLOW_DOWN, MemoryBuckets, RedisBuckets, Throttle, Verdict, hashed_keys
from bot.views import View
from dialogs.content import INTERVIEW
from dialogs.types import t
from locales.catalogs import Catalogs
from storage.memory import MemoryStore
from tests.telegram.server import BotAPIServer

REDIS_URL = os.environ.get("TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")
P, W, D = Verdict.PASS, Verdict.WARN, Verdict.DROP
BOARD = load_profile(PACKAGED_PROFILE)
VIEW = View(Presenter(renderer(Catalogs(), BOARD), BOARD))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_memory_bucket_refills_and_warns_once_per_flood() -> None:
    clock = Clock()
    buckets = MemoryBuckets(rate=0.5, burst=3, clock=clock)
    assert [await buckets.take("a") for _ in range(6)] == [P, P, P, W, D, D]
    assert await buckets.take("b") is P  # someone else is not held up
    clock.now += 2.0  # one token back
    assert [await buckets.take("a") for _ in range(3)] == [P, W, D]  # a new flood: a new word
    clock.now += 3600
    assert [await buckets.take("a") for _ in range(4)] == [P, P, P, W]


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    assert REDIS_URL is not None
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


@needs_redis
async def test_redis_buckets_are_shared_by_replicas(redis: Redis) -> None:
    prefix = f"antragslotse:test:{uuid.uuid4().hex}:"
    first = RedisBuckets(redis, rate=0.01, burst=3, prefix=prefix)
    second = RedisBuckets(redis, rate=0.01, burst=3, prefix=prefix)  # another process
    verdicts = [await (first if i % 2 else second).take("k") for i in range(6)]
    assert verdicts == [P, P, P, W, D, D]
    assert 0 < await redis.pttl(prefix + "k") <= 301_000  # gone once full again
    assert await first.take("other") is P
    assert set(await redis.hkeys(prefix + "k")) == {b"tokens", b"at", b"warned"}


@needs_redis
async def test_redis_bucket_refills_by_the_servers_clock(redis: Redis) -> None:
    prefix = f"antragslotse:test:{uuid.uuid4().hex}:"
    buckets = RedisBuckets(redis, rate=20.0, burst=1, prefix=prefix)
    assert [await buckets.take("k"), await buckets.take("k")] == [P, W]
    await redis.hset(prefix + "k", "at", "0")  # as if a long time had passed
    assert await buckets.take("k") is P


class Counting:
    def __init__(self) -> None:
        self.seen = 0

    async def __call__(self, event: TelegramObject, data: dict[str, Any]) -> str:
        self.seen += 1
        return "handled"


def text_update(update_id: int, user_id: int) -> Update:
    return Update.model_validate({"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": "hi",
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "T", "language_code": "de"}}})


async def test_a_flood_gets_one_kind_message_then_silence(bot_api: BotAPIServer, bot: Bot,
                                                           metrics: Metrics) -> None:
    intake = Intake(MemoryStore(), INTERVIEW, date.today, "de")
    keys: list[str] = []

    def key(user_id: int) -> str:
        keys.append(f"h{user_id % 97}")
        return keys[-1]

    throttle = Throttle(MemoryBuckets(0.001, 2), key, intake, VIEW, metrics)
    handler, user = Counting(), bot_api.user(77, language_code="de")
    results = [await throttle(handler, text_update(i, user.id), {"bot": bot}) for i in range(6)]
    assert results == ["handled", "handled", None, None, None, None] and handler.seen == 2
    assert [m.text for m in user.transcript] == [VIEW.text(t(SLOW_DOWN), "de")]
    assert keys == ["h77"] * 6  # the bucket is found by the caller's keyed hash
    assert metrics.registry.get_sample_value(
        "antragslotse_updates_total", {"kind": "message", "outcome": "throttled"}) == 4


def test_bucket_keys_are_keyed_hashes_without_the_user_id() -> None:
    key, other = hashed_keys(b"k" * 32), hashed_keys(b"o" * 32)
    assert key(123456789) == key(123456789) != key(123456788)
    assert key(123456789) != other(123456789)  # without the secret, no key can be guessed
    assert len(key(123456789)) == 32 and "123456789" not in key(123456789)


class Broken:
    async def take(self, key: str) -> Verdict:
        raise ConnectionError("redis is away")


async def test_updates_pass_when_the_throttle_backend_is_away(metrics: Metrics) -> None:
    intake = Intake(MemoryStore(), INTERVIEW, date.today, "en")
    throttle = Throttle(Broken(), str, intake, VIEW, metrics)
    handler = Counting()
    for i in range(3):
        assert await throttle(handler, text_update(i, 5), {}) == "handled"
    assert metrics.registry.get_sample_value(
        "antragslotse_throttle_backend_errors_total") == 3
