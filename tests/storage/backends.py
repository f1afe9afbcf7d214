"""Shared pieces of the storage tests: the recipients and the backends under test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage import database
from storage.keys import Keyring
from storage.memory import MemoryStore
from storage.models import metadata
from storage.sealing import PrivateKey
from storage.sql import SqlStore

PG_URL = os.environ.get("TEST_DATABASE_URL")
needs_pg = pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set")
OFFICE = PrivateKey.generate()
RECOVERY = PrivateKey.generate()


@asynccontextmanager
async def replica(store: SqlStore, keyring: Keyring | None = None,
                  **options: Any) -> AsyncIterator[SqlStore]:
    """Another process's store on the same database: its own engine, writer and cache."""
    engine = database.create_engine(store.engine.url.render_as_string(hide_password=False))
    other = SqlStore(engine, keyring or store.keyring, store.recipients, **options)
    try:
        yield other
    finally:
        await other.close()


@dataclass
class Backend:
    """A store under test, and its engine when it is an SQL one."""

    name: str
    store: MemoryStore | SqlStore
    engine: AsyncEngine | None = None


async def admin(url: str, statement: str) -> None:
    engine = create_async_engine(database.normalize_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def migrate(url: str) -> None:
    engine = database.create_engine(url)
    try:
        await database.migrate(engine)
    finally:
        await engine.dispose()


async def sql_engine(name: str, tmp_path: Path, pg_url: str | None) -> AsyncEngine:
    """A migrated, empty database of the given kind."""
    if name == "sqlite":
        engine = database.create_engine(f"sqlite:///{tmp_path / 'antragslotse.db'}")
        await database.verify(engine)
        await database.migrate(engine)
        return engine
    assert pg_url is not None
    engine = database.create_engine(pg_url)
    tables = ", ".join(t.name for t in metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables}"))
    return engine

