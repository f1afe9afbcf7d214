"""Feeding synthetic updates through a bot's Poller, timing each, checking every reply."""

from __future__ import annotations

import gc
import itertools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bench.applicants import Script
from bench.stub import Wire, parse, text_update
from bot.polling import Poller

IN_FLIGHT = 16


class BenchFailure(Exception):
    """The benchmark's own checks found a wrong, missing or extra reply or row."""


class Target(Protocol):
    name: str
    bot: Bot
    wire: Wire
    dispatcher: Dispatcher

    async def seed(self, users: Sequence[int]) -> None: ...

    async def stored(self, users: Sequence[int], steps: int) -> list[str]: ...

    def expected(self, texts: Sequence[str]) -> list[str]: ...


@dataclass
class Phase:
    """One timed run of one target in one mode."""

    target: str
    mode: str
    updates: int
    seconds: float
    latencies: list[float] = field(repr=False)

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Timed:
    """Stands in for the Dispatcher in the Poller: times each update from its batch's arrival
    (getUpdates answered, not yet parsed) to the end of its handling (reply sent)."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.latencies: list[float] = []
        self.arrived = 0.0

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        try:
            return await self.dispatcher.feed_update(bot, update, **kwargs)
        finally:
            self.latencies.append(time.perf_counter() - self.arrived)


class Errors(logging.Handler):
    """Collects error records (a failed update is logged by the Poller, by type only)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


class Ids:
    """Fresh user and update ids for every phase (no draft is reused)."""

    def __init__(self, first_user: int = 10_000_000) -> None:
        self._users = itertools.count(first_user)
        self._updates = itertools.count(1)

    def users(self, n: int) -> list[int]:
        return [next(self._users) for _ in range(n)]

    def update(self) -> int:
        return next(self._updates)


def batches(script: Script, users: Sequence[int], ids: Ids, *, sequential: bool,
            per_user: int = 1) -> list[list[dict[str, Any]]]:
    """Groups of IN_FLIGHT users; each batch carries ``per_user`` next answers of each."""
    steps = len(script.texts)
    out: list[list[dict[str, Any]]] = []
    for start in range(0, len(users), IN_FLIGHT):
        group = users[start : start + IN_FLIGHT]
        for first in range(0, steps, per_user):
            batch = [text_update(ids.update(), user, script.texts[step])
                     for step in range(first, min(steps, first + per_user)) for user in group]
            out.extend([[u] for u in batch] if sequential else [batch])
    return out


async def run(target: Target, script: Script, users: int, ids: Ids, *, sequential: bool,
              per_user: int = 1) -> Phase:
    """Seed ``users`` drafts, feed all their answers, check replies and rows."""
    steps = len(script.texts)
    people = ids.users(max(1, users))
    await target.seed(people)
    work = batches(script, people, ids, sequential=sequential, per_user=per_user)
    timed = Timed(target.dispatcher)
    poller = Poller(target.bot, cast(Dispatcher, timed))
    errors = Errors()
    logging.getLogger().addHandler(errors)
    target.wire.reset()
    gc.collect()
    try:
        started = time.perf_counter()
        for batch in work:
            timed.arrived = time.perf_counter()
            await poller.handle(parse(batch, target.bot))
        seconds = time.perf_counter() - started
    finally:
        logging.getLogger().removeHandler(errors)
    mode = "sequential" if sequential else f"{IN_FLIGHT} in flight"
    problems = errors.messages[:5] + _replies(target, script, people)
    problems += await target.stored(people, steps)
    if problems:
        raise BenchFailure(f"{target.name}, {mode}: " + "; ".join(problems[:5]))
    return Phase(target.name, mode, len(people) * steps, seconds, timed.latencies)


def _replies(target: Target, script: Script, users: Sequence[int]) -> list[str]:
    """Exactly the expected replies, one per update, in each user's order."""
    expected = target.expected(script.texts)
    problems = []
    for user in users:
        got = target.wire.sent.get(user, [])
        if got != expected:
            wrong = next((i for i, (a, b) in enumerate(zip(got, expected, strict=False))
                          if a != b), min(len(got), len(expected)))
            problems.append(f"user {user}: {len(got)} replies for {len(expected)} updates, "
                            f"first difference at reply {wrong + 1}")
    extra = set(target.wire.sent) - set(users)
    if extra:
        problems.append(f"replies to {len(extra)} chats that sent nothing")
    return problems
