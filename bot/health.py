"""Operators' endpoints: ``/healthz`` (database, keys, catalogs) and ``/metrics`` (Prometheus).

Served on the webhook's listener in webhook mode, and on ANTRAGSLOTSE_METRICS_PORT when that
is set (in either mode). They say nothing about people: counts and states only.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from sqlalchemy import text

from bot.metrics import Metrics
from locales.catalogs import Catalogs
from storage.sql import SqlStore

log = logging.getLogger(__name__)
OK = "ok"
PROBE_TIMEOUT = 3.0


class Health:
    """Whether this process can do its work: reach the database, hold its keys, speak."""

    def __init__(self, store: SqlStore, catalogs: Catalogs, default_language: str) -> None:
        self.store = store
        self.catalogs = catalogs
        self.default_language = default_language

    async def check(self) -> dict[str, str]:
        """Each check's state: ``ok`` or a short reason (an error's type, never its text)."""
        return {"database": await self._database(), "keys": self._keys(),
                "catalogs": self._catalogs()}

    async def _database(self) -> str:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT), self.store.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("health: database unreachable: %s", type(exc).__name__)
            return f"unreachable: {type(exc).__name__}"
        return OK

    def _keys(self) -> str:
        keyring = self.store.keyring
        if keyring.active not in keyring.keks:
            return "no active draft key"
        return OK if self.store.recipients else "no recipient public key"

    def _catalogs(self) -> str:
        if not self.catalogs.languages:
            return "no complete catalog"
        return OK if self.catalogs.offers(self.default_language) else "default language missing"


def add_routes(app: web.Application, health: Health, metrics: Metrics) -> None:
    """GET /healthz and GET /metrics."""

    async def on_health(_: web.Request) -> web.Response:
        checks = await health.check()
        healthy = all(state == OK for state in checks.values())
        body = {"status": "ok" if healthy else "failing", "checks": checks}
        return web.json_response(body, status=200 if healthy else 503)

    async def on_metrics(request: web.Request) -> web.Response:
        await metrics.census(health.store.engine)
        body, content_type = metrics.exposition(request.headers.get("Accept", ""))
        return web.Response(body=body, headers={"Content-Type": content_type})

    app.router.add_get("/healthz", on_health)
    app.router.add_get("/metrics", on_metrics)


def ops_app(health: Health, metrics: Metrics) -> web.Application:
    """An application with the operators' endpoints only (polling mode)."""
    app = web.Application()
    add_routes(app, health, metrics)
    return app


async def serve(app: web.Application, host: str, port: int, stop: asyncio.Event,
                ready: asyncio.Event | None = None) -> None:
    """Serve ``app`` until ``stop`` is set; requests in flight may finish (up to 10 s)."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=10.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        log.info("listening on %s:%d", host, port)
        if ready is not None:
            ready.set()
        await stop.wait()
    finally:
        await runner.cleanup()
