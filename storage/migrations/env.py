"""Alembic environment: runs on the connection handed over by storage.database.migrate.

From the command line (``alembic -c storage/alembic.ini ...``) it connects to
``DATABASE_URL`` itself.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection

from storage.database import create_engine
from storage.models import metadata


def run(connection: Connection) -> None:
    """Run the migrations in the caller's transaction."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_url(url: str) -> None:
    """Connect to ``url`` and migrate (command-line use)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
    finally:
        await engine.dispose()


given = context.config.attributes.get("connection")
if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported")
if given is not None:
    run(given)
else:
    asyncio.run(run_from_url(os.environ.get("DATABASE_URL", "sqlite:///data/antragslotse.db")))
