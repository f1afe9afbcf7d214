"""The databases the end-to-end tests run the real bot on: SQLite, and PostgreSQL if given."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import make_url

from storage import database
from storage.models import metadata
from tests.storage.backends import admin

PG_URL = os.environ.get("TEST_DATABASE_URL")
needs_pg = pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set")


@asynccontextmanager
async def fresh_postgres(prefix: str) -> AsyncIterator[str]:
    """A new, empty PostgreSQL database on TEST_DATABASE_URL's server, dropped afterwards."""
    assert PG_URL is not None
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await admin(PG_URL, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin(PG_URL, f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=needs_pg)])
async def database_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """"" (the bot's default SQLite file in its data directory) or a fresh PostgreSQL URL."""
    if request.param == "sqlite":
        yield ""
        return
    async with fresh_postgres("antragslotse_e2e") as url:
        yield url


async def database_bytes(url: str) -> bytes:
    """Every stored value of every table, as bytes: what a database dump would show."""
    engine = database.create_engine(url)
    chunks: list[bytes] = []
    try:
        async with engine.connect() as conn:
            for table in metadata.sorted_tables:
                for row in await conn.execute(table.select()):
                    for value in row:
                        raw = value if isinstance(value, bytes) else str(value).encode()
                        chunks.append(raw)
    finally:
        await engine.dispose()
    return b"\n".join(chunks)
