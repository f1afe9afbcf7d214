"""Start-up of the SQL store: engine, settings check, migrations, keys, recipients."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import crypto, database, keyfiles
from storage.keys import Keyring, resolve_keyring
from storage.models import drafts, submissions
from storage.ports import KeyMissing
from storage.sql import SqlStore


async def key_ids_in_use(engine: AsyncEngine) -> set[str]:
    """The key ids the stored drafts are wrapped with."""
    async with engine.connect() as conn:
        return set((await conn.execute(select(drafts.c.key_id).distinct())).scalars())


async def has_data(engine: AsyncEngine) -> bool:
    """Whether any draft or submission is stored."""
    query = select(exists(select(drafts.c.id)) | exists(select(submissions.c.reference)))
    async with engine.connect() as conn:
        return bool((await conn.execute(query)).scalar())


async def prepare_keyring(engine: AsyncEngine, key_file: Path | None) -> Keyring:
    """The configured keyring, checked against the stored data (KeyMissing if it does not fit)."""
    in_use = await key_ids_in_use(engine)
    keyring = resolve_keyring(
        key_file, has_data=bool(in_use) or await has_data(engine), key_ids_in_use=in_use
    )
    await check_keys(engine, keyring)
    return keyring


async def check_keys(engine: AsyncEngine, keyring: Keyring) -> None:
    """Unwrap one stored data key per key id: a wrong key file stops start-up, not a user."""
    query = select(drafts.c.key_id, func.min(drafts.c.id)).group_by(drafts.c.key_id)
    async with engine.connect() as conn:
        samples = (await conn.execute(query)).all()
        for key_id, draft_id in samples:
            wrapped = (await conn.execute(select(drafts.c.wrapped_key).where(
                drafts.c.id == draft_id))).scalar_one()
            try:
                crypto.unwrap_key(keyring.kek(key_id), key_id, draft_id, wrapped)
            except crypto.Undecryptable:
                raise KeyMissing(
                    f"the key file's key {key_id!r} does not open the stored drafts: it is "
                    "not the key they were written with; restore the right key file") from None


async def open_store(
    url: str,
    *,
    key_file: Path | None,
    recipient_files: Sequence[Path],
    reference_prefix: str = "LEV",
    migrate: bool = True,
) -> SqlStore:
    """Connect, verify, migrate, load keys and recipients; ``await store.close()`` at the end."""
    recipients = [keyfiles.read_public(path) for path in recipient_files]
    if not recipients:
        raise ValueError("at least one recipient public key file is required")
    engine = database.create_engine(url)
    try:
        await database.verify(engine)
        if migrate:
            await database.migrate(engine)
        keyring = await prepare_keyring(engine, key_file)
    except BaseException:
        await engine.dispose()
        raise
    return SqlStore(engine, keyring, recipients, reference_prefix)
