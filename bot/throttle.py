"""Flood protection: a token bucket per person, in this process or shared through Redis.

Each update takes a token; a bucket holds ``burst`` tokens and refills at ``rate`` per
second. The first update refused gets a kind message in the person's language, later ones
silence, until a token is free again. The buckets are keyed by a keyed hash of the user id
(the caller's ``key``), so Redis holds no Telegram ids. If Redis cannot be reached, updates
pass: throttling protects the service, it must not stop it.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update, User
from redis.asyncio import Redis

from antragslotse.intake import Intake
from bot.metrics import Metrics, kind_of
from bot.people import language
from bot.views import View
from dialogs.types import N_, t

log = logging.getLogger(__name__)
SLOW_DOWN = N_("You are sending messages faster than I can answer. Please wait a moment, "
               "then send your last message again.")
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
PRUNE_AT = 10_000  # in-process buckets kept before full ones are forgotten


class Verdict(enum.IntEnum):
    PASS = 0
    WARN = 1  # the first refusal: say something kind
    DROP = 2  # later refusals: silence


class Buckets(Protocol):
    async def take(self, key: str) -> Verdict:
        """Take a token from this key's bucket."""


class MemoryBuckets:
    """Buckets of this process only (a single machine)."""

    def __init__(self, rate: float, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._state: dict[str, tuple[float, float, bool]] = {}  # tokens, when, warned

    async def take(self, key: str) -> Verdict:
        now = self.clock()
        tokens, then, warned = self._state.get(key, (float(self.burst), now, False))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        if tokens >= 1:
            verdict, tokens, warned = Verdict.PASS, tokens - 1, False
        else:
            verdict, warned = (Verdict.DROP if warned else Verdict.WARN), True
        self._state[key] = (tokens, now, warned)
        if len(self._state) > PRUNE_AT:
            self._prune(now)
        return verdict

    def _prune(self, now: float) -> None:
        full = [k for k, (tokens, then, _) in self._state.items()
                if tokens + (now - then) * self.rate >= self.burst]
        for key in full:
            del self._state[key]


# Atomic in Redis: read, refill by the server's clock, take, write, expire once full again.
TAKE = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'warned')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
local warned = state[3] == '1'
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local verdict = 0
if tokens >= 1 then
  tokens = tokens - 1
  warned = false
elseif warned then
  verdict = 2
else
  verdict = 1
  warned = true
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now),
           'warned', warned and '1' or '0')
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return verdict
"""


class RedisBuckets:
    """Buckets shared by every replica that uses the same Redis."""

    def __init__(self, client: Redis, rate: float, burst: int,
                 prefix: str = "antragslotse:throttle:") -> None:
        self.rate, self.burst, self.prefix = rate, burst, prefix
        self._take = client.register_script(TAKE)

    async def take(self, key: str) -> Verdict:
        verdict = await self._take(keys=[self.prefix + key], args=[self.rate, self.burst])
        return Verdict(int(verdict))


def hashed_keys(secret: bytes) -> Callable[[int], str]:
    """Bucket names for user ids: a keyed BLAKE2b hash, so Redis holds no Telegram ids.

    BLAKE2b is keyed by design (no HMAC needed): one call of ~2 µs in the running bot, where
    an HMAC-SHA256 through OpenSSL took ~8 µs, for every update.
    """
    def key(user_id: int) -> str:
        return hashlib.blake2b(b"tg:%d" % user_id, key=secret, digest_size=16).hexdigest()

    return key


class Throttle(BaseMiddleware):
    """An outer update middleware: refused updates are dropped (and confirmed)."""

    def __init__(self, buckets: Buckets, key: Callable[[int], str], intake: Intake, view: View,
                 metrics: Metrics) -> None:
        self.buckets, self.key = buckets, key
        self.intake, self.view, self.metrics = intake, view, metrics
        self._warned_at: float | None = None  # when a failing backend was last logged

    async def __call__(self, handler: Handler, event: TelegramObject,
                       data: dict[str, Any]) -> Any:
        user = _sender(event)
        if user is None:
            return await handler(event, data)
        verdict = await self._take(user.id)
        if verdict is Verdict.PASS:
            return await handler(event, data)
        self.metrics.observe(kind_of(event), "throttled")
        if verdict is Verdict.WARN:
            await self._slow_down(data["bot"], user)
        return None

    async def _take(self, user_id: int) -> Verdict:
        try:
            verdict = await self.buckets.take(self.key(user_id))
        except Exception as exc:  # Redis away: let the update pass, say so now and then
            self.metrics.throttle_errors.inc()
            now = time.monotonic()
            if self._warned_at is None or now - self._warned_at > 60:
                self._warned_at = now
                log.warning("throttle unavailable, updates pass: %s", type(exc).__name__)
            return Verdict.PASS
        self._warned_at = None
        return verdict

    async def _slow_down(self, bot: Bot, user: User) -> None:
        lang = await language(self.intake, user)
        try:
            await bot.send_message(user.id, self.view.text(t(SLOW_DOWN), lang))
        except TelegramAPIError as exc:
            log.info("throttle notice not delivered: %s", type(exc).__name__)


def _sender(event: TelegramObject) -> User | None:
    if not isinstance(event, Update):
        return None
    source = event.message or event.callback_query
    return source.from_user if source is not None else None
