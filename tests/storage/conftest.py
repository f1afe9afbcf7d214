"""Stores for the contract: memory, SQLite, and PostgreSQL if TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url

from storage.keys import ENV_VAR, Keyring
from storage.memory import MemoryStore
from storage.sql import SqlStore
from tests.storage.backends import (
    OFFICE,
    PG_URL,
    RECOVERY,
    Backend,
    admin,
    migrate,
    needs_pg,
    sql_engine,
)


@pytest.fixture(autouse=True)
def _no_key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys come from files in these tests, never from the developer's environment."""
    monkeypatch.delenv(ENV_VAR, raising=False)


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.generate()


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test module, dropped afterwards."""
    assert PG_URL is not None
    name = f"antragslotse_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(admin(PG_URL, f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        asyncio.run(migrate(url))
        yield url
    finally:
        asyncio.run(admin(PG_URL, f'DROP DATABASE "{name}" WITH (FORCE)'))


SQL = ["sqlite", pytest.param("postgresql", marks=needs_pg)]
Kind = tuple[str, str | None]


def _kind(request: pytest.FixtureRequest) -> Kind:
    # Synchronous on purpose: the PostgreSQL database is created outside the test's loop.
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    return request.param, url


@pytest.fixture(params=["memory", *SQL])
def any_kind(request: pytest.FixtureRequest) -> Kind:
    """Every store kind, with the module's PostgreSQL URL where needed."""
    return _kind(request)


@pytest.fixture(params=SQL)
def sql_kind(request: pytest.FixtureRequest) -> Kind:
    """Every SQL store kind."""
    return _kind(request)


@pytest.fixture
async def backend(any_kind: Kind, tmp_path: Path, keyring: Keyring) -> AsyncIterator[Backend]:
    """Each store implementation, empty."""
    name, url = any_kind
    if name == "memory":
        yield Backend("memory", MemoryStore())
        return
    engine = await sql_engine(name, tmp_path, url)
    store = SqlStore(engine, keyring, [OFFICE.public_key(), RECOVERY.public_key()])
    try:
        yield Backend(name, store, engine)
    finally:
        await store.close()  # its held connections (PostgreSQL), then the engine


@pytest.fixture
async def sql(sql_kind: Kind, tmp_path: Path, keyring: Keyring) -> AsyncIterator[SqlStore]:
    """Each SQL store, empty."""
    name, url = sql_kind
    store = SqlStore(await sql_engine(name, tmp_path, url), keyring,
                     [OFFICE.public_key(), RECOVERY.public_key()])
    try:
        yield store
    finally:
        await store.close()
