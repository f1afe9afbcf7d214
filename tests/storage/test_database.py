"""Engine settings and migrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from storage import database
from storage.models import metadata
from storage.sql import SqlStore


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("sqlite:///data/a.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///data/a.db", "sqlite+aiosqlite"),
        ("postgresql://u@h/db", "postgresql+asyncpg"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg"),
    ],
)
def test_urls_get_the_async_driver(url: str, driver: str) -> None:
    assert database.normalize_url(url).drivername == driver


def test_other_databases_are_refused() -> None:
    with pytest.raises(database.DatabaseMisconfigured):
        database.normalize_url("mysql://u@h/db")


async def test_verify_reads_the_pragmas_back(tmp_path: Path) -> None:
    engine = database.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        await database.verify(engine)
        async with engine.connect() as conn:
            values = [
                (await conn.exec_driver_sql(f"PRAGMA {p}")).scalar()
                for p in ("journal_mode", "synchronous", "foreign_keys")
            ]
        assert values == ["wal", 2, 1]
    finally:
        await engine.dispose()


async def test_verify_refuses_a_database_without_the_pragmas(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    try:
        with pytest.raises(database.DatabaseMisconfigured, match="journal_mode"):
            await database.verify(engine)
    finally:
        await engine.dispose()


def _differences(conn: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(conn), metadata))


async def test_migrations_build_exactly_the_models(sql: SqlStore) -> None:
    async with sql.engine.connect() as conn:
        assert await conn.run_sync(_differences) == []


async def test_migrating_twice_is_harmless(sql: SqlStore) -> None:
    await database.migrate(sql.engine)
    async with sql.engine.connect() as conn:
        version = (await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).scalar()
    from alembic.script import ScriptDirectory

    assert version == ScriptDirectory.from_config(database.alembic_config()).get_current_head()


async def test_old_update_ids_can_be_forgotten(sql: SqlStore) -> None:
    async with sql.unit() as unit:
        await unit.claim_update(1)
    assert await database.forget_updates(sql.engine, datetime.now(UTC) - timedelta(days=1)) == 0
    assert await database.forget_updates(sql.engine, datetime.now(UTC) + timedelta(seconds=1)) == 1
    async with sql.unit() as unit:
        assert await unit.claim_update(1) is True
