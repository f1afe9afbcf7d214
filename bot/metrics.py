"""Prometheus metrics: updates by kind and outcome, handler latency, drafts and the queue.

Labels hold kinds, outcomes, statuses, fault classes and Bot API method names only — never a
user id, a chat id, a reference or a text. Counts from the database are taken at scrape time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.process_collector import ProcessCollector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import drafts, outbox, submissions

log = logging.getLogger(__name__)
KINDS = ("message", "callback_query")  # what the bot asks Telegram for
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
CENSUS_TIMEOUT = 5.0
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def kind_of(event: TelegramObject) -> str:
    """The update's kind as a label: one of a fixed few."""
    if isinstance(event, Update) and event.message is not None:
        return "message"
    if isinstance(event, Update) and event.callback_query is not None:
        return "callback_query"
    return "other"


class Metrics:
    """Every metric of one bot process, in its own registry (no global state)."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        ProcessCollector(registry=registry)  # memory, CPU, open files of this process
        self.updates = Counter(
            "antragslotse_updates", "Updates by kind and outcome (handled, failed, throttled)",
            ["kind", "outcome"], registry=registry)
        self.latency = Histogram(
            "antragslotse_handler_seconds", "Time to handle one update: commit and reply included",
            ["kind"], buckets=LATENCY_BUCKETS, registry=registry)
        self.drafts = Gauge(
            "antragslotse_drafts_active", "Drafts in progress (stored, not yet sent)",
            registry=registry)
        self.queue = Gauge(
            "antragslotse_queue_submissions", "Sent applications by queue status", ["status"],
            registry=registry)
        self.outbox = Gauge(
            "antragslotse_outbox_backlog", "Notifications not yet sent (nor given up)",
            registry=registry)
        self.database_up = Gauge(
            "antragslotse_database_up", "1 if the last count reached the database, else 0",
            registry=registry)
        self.telegram_retries = Counter(
            "antragslotse_telegram_retries", "Bot API calls repeated after a fault",
            ["method", "fault"], registry=registry)
        self.webhook_rejected = Counter(
            "antragslotse_webhook_rejected", "Webhook requests refused (secret token, body)",
            ["reason"], registry=registry)
        self.throttle_errors = Counter(
            "antragslotse_throttle_backend_errors",
            "Throttle look-ups that failed (then the update passes)", registry=registry)
        # Each update's series, looked up once: labels() checks its values and takes a lock
        # on every call (~4 µs an update). Kinds and outcomes are a fixed few.
        self._counts: dict[tuple[str, str], Counter] = {}
        self._latencies: dict[str, Histogram] = {}
        for kind in KINDS:  # the series exist from the start, so rates are never "no data"
            for outcome in ("handled", "failed", "throttled"):
                self._counts[kind, outcome] = self.updates.labels(kind, outcome)
        self.queue.labels("new")

    def observe(self, kind: str, outcome: str, seconds: float | None = None) -> None:
        count = self._counts.get((kind, outcome))
        if count is None:
            count = self._counts[kind, outcome] = self.updates.labels(kind, outcome)
        count.inc()
        if seconds is not None:
            latency = self._latencies.get(kind)
            if latency is None:
                latency = self._latencies[kind] = self.latency.labels(kind)
            latency.observe(seconds)

    async def census(self, engine: AsyncEngine) -> None:
        """Count drafts and queue entries now (on each scrape; cheap for a city's numbers)."""
        try:
            async with asyncio.timeout(CENSUS_TIMEOUT), engine.connect() as conn:
                active = (await conn.execute(select(func.count()).select_from(drafts))).scalar()
                statuses = (await conn.execute(select(submissions.c.status, func.count())
                                               .group_by(submissions.c.status))).all()
                backlog = (await conn.execute(select(func.count()).select_from(outbox).where(
                    outbox.c.sent_at.is_(None) & outbox.c.gave_up_at.is_(None)))).scalar()
        except Exception as exc:  # the database is away: say so, keep the other metrics
            log.warning("metrics: database count failed: %s", type(exc).__name__)
            self.database_up.set(0)
            return
        self.database_up.set(1)
        self.drafts.set(active or 0)
        self.outbox.set(backlog or 0)
        self.queue.clear()
        self.queue.labels("new").set(0)
        for status, count in statuses:
            self.queue.labels(status).set(count)

    def exposition(self, accept: str = "") -> tuple[bytes, str]:
        """The body and its content type, in the format the scraper asked for."""
        encode, content_type = choose_encoder(accept)
        return encode(self.registry), content_type


class Measure(BaseMiddleware):
    """Counts and times every update (an outer middleware: failures included)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(self, handler: Handler, event: TelegramObject,
                       data: dict[str, Any]) -> Any:
        kind = kind_of(event)
        started = time.perf_counter()
        try:
            result = await handler(event, data)
        except Exception:
            self.metrics.observe(kind, "failed", time.perf_counter() - started)
            raise
        self.metrics.observe(kind, "handled", time.perf_counter() - started)
        return result
