"""The operators' endpoints: /healthz says what is wrong, /metrics counts without people."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import TelegramObject, Update
from aiohttp.test_utils import TestClient, TestServer

from bot.health import Health, ops_app
from bot.metrics import Measure, Metrics
from dialogs.progress import Progress
from locales.catalogs import Catalogs
from storage import database
from storage.keys import Keyring
from storage.sql import SqlStore
from tests.storage.backends import OFFICE, RECOVERY, sql_engine

CATALOGS = Catalogs()
LABELS = re.compile(r'(\w+)="([^"]*)"')
ALLOWED_LABELS = {"kind", "outcome", "status", "method", "fault", "reason", "le"}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    engine = await sql_engine("sqlite", tmp_path, None)
    sql = SqlStore(engine, Keyring.generate(), [OFFICE.public_key(), RECOVERY.public_key()])
    yield sql
    await sql.close()


async def client(health: Health, metrics: Metrics) -> TestClient[Any, Any]:
    test = TestClient(TestServer(ops_app(health, metrics)))
    await test.start_server()
    return test


async def test_healthy_when_database_keys_and_catalogs_are_there(store: SqlStore) -> None:
    test = await client(Health(store, CATALOGS, "de"), Metrics())
    try:
        response = await test.get("/healthz")
        assert response.status == 200
        assert await response.json() == {
            "status": "ok", "checks": {"database": "ok", "keys": "ok", "catalogs": "ok"}}
    finally:
        await test.close()


async def test_unhealthy_without_the_database_or_a_language(store: SqlStore) -> None:
    away = SqlStore(database.create_engine("postgresql://nobody@127.0.0.1:1/none"),
                    store.keyring, store.recipients)
    test = await client(Health(away, CATALOGS, "xx"), Metrics())
    try:
        response = await test.get("/healthz")
        assert response.status == 503
        body = await response.json()
        assert body["status"] == "failing" and body["checks"]["keys"] == "ok"
        assert body["checks"]["database"].startswith("unreachable")
        assert body["checks"]["catalogs"] == "default language missing"
        metrics = await (await test.get("/metrics")).text()
        assert "antragslotse_database_up 0.0" in metrics  # still served without the database
    finally:
        await test.close()
        await away.close()


class Fails:
    async def __call__(self, event: TelegramObject, data: dict[str, Any]) -> None:
        raise RuntimeError("bug")


async def done(event: TelegramObject, data: dict[str, Any]) -> str:
    return "ok"


async def test_metrics_count_updates_drafts_and_queue_without_people(store: SqlStore) -> None:
    metrics = Metrics()
    measure = Measure(metrics)
    message = Update.model_validate({"update_id": 1, "message": {
        "message_id": 1, "date": 0, "text": "Amira 4711", "chat": {"id": 4711, "type": "private"},
        "from": {"id": 4711, "is_bot": False, "first_name": "Amira"}}})
    await measure(done, message, {})
    with pytest.raises(RuntimeError):
        await measure(Fails(), message, {})
    async with store.unit() as uow:
        for owner in ("tg:4711", "tg:4712"):
            await uow.save_draft(uow.new_draft(owner, Progress("welcome")))
    async with store.unit() as uow:
        sent = await uow.load_draft("tg:4712")
        assert sent is not None
        await uow.submit(sent, b"{}", [], urgent=False)
    test = await client(Health(store, CATALOGS, "de"), metrics)
    try:
        response = await test.get("/metrics")
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = await response.text()
    finally:
        await test.close()
    assert 'antragslotse_updates_total{kind="message",outcome="handled"} 1.0' in text
    assert 'antragslotse_updates_total{kind="message",outcome="failed"} 1.0' in text
    assert 'antragslotse_handler_seconds_count{kind="message"} 2.0' in text
    assert "antragslotse_drafts_active 1.0" in text
    assert 'antragslotse_queue_submissions{status="new"} 1.0' in text
    assert "antragslotse_database_up 1.0" in text
    assert "antragslotse_outbox_backlog 1.0" in text  # the secretariat's notice, not yet sent
    assert "4711" not in text and "Amira" not in text and "LEV-" not in text
    assert {name for name, _ in LABELS.findall(text)} <= ALLOWED_LABELS
