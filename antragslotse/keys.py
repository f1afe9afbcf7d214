"""``antragslotse keys``: create, inspect, rotate and retire the drafts' key-encryption keys.

Rotation without downtime, in three steps that are each safe while bots run:
``rotate`` adds a new active key (old keys stay readable), re-wraps every draft's data key
and re-encrypts every sent application's notification address under it; a running bot
reloads the key file when it meets a key id it does not know (what it saves meanwhile stays
readable: the old key is still there); ``retire`` then removes the old keys once nothing
stored needs them any more.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from antragslotse.settings import Settings
from storage import crypto, database, keyfiles
from storage.keys import Keyring, load_keyring, write_key_file
from storage.models import drafts, submissions
from storage.outbox import open_contact, seal_contact
from storage.ports import KeyMissing
from storage.sealing import format_fingerprint


def init(settings: Settings) -> str:
    """Create the key file (refusing to overwrite one)."""
    path = _path(settings)
    keyring = Keyring.generate()
    write_key_file(path, keyring)
    return f"Created {path} with key {keyring.active}. Back it up, separately from the database."


def status(settings: Settings) -> str:
    """The active key, how many drafts each key protects, and the recipients' fingerprints."""
    keyring = _load(settings)
    counts = asyncio.run(_counts(settings.database_url))
    lines = [f"active key: {keyring.active}"]
    for key_id in sorted(set(keyring.keks) | set(counts)):
        known = "" if key_id in keyring.keks else "  MISSING FROM THE KEY FILE"
        lines.append(f"  {key_id}: {counts.get(key_id, 0)} draft(s){known}")
    for name, path in (("secretariat", settings.secretariat_public_key),
                       ("recovery", settings.recovery_public_key)):
        if path is not None and path.is_file():
            fingerprint = format_fingerprint(keyfiles.read_public(path).fingerprint)
            lines.append(f"{name} public key {path}: {fingerprint}")
    return "\n".join(lines)


def rotate(settings: Settings) -> str:
    """Add a new active key and re-wrap every draft's data key under it."""
    keyring = _load(settings).rotated()
    _replace_file(_path(settings), keyring)
    moved = asyncio.run(_rewrap(settings.database_url, keyring))
    return (f"New active key {keyring.active}; {moved} draft key(s) re-wrapped. Once every bot "
            "has reloaded (automatic) or restarted: antragslotse keys retire")


def retire(settings: Settings) -> str:
    """Drop keys that no draft needs any more (the active key always stays)."""
    keyring = _load(settings)
    in_use = asyncio.run(_counts(settings.database_url))
    keep = {k: v for k, v in keyring.keks.items() if k == keyring.active or in_use.get(k)}
    gone = sorted(set(keyring.keks) - set(keep))
    if gone:
        _replace_file(_path(settings), replace(keyring, keks=keep))
    return f"Retired: {', '.join(gone) or 'nothing'}; still in use: {', '.join(sorted(keep))}"


async def _counts(url: str) -> dict[str, int]:
    engine = database.create_engine(url)
    try:
        async with engine.connect() as conn:
            counts: dict[str, int] = {}
            for column in (drafts.c.key_id, submissions.c.contact_key_id):
                rows = await conn.execute(select(column, func.count()).where(
                    column.is_not(None)).group_by(column))
                for key_id, n in rows:
                    counts[str(key_id)] = counts.get(str(key_id), 0) + int(n)
            return counts
    finally:
        await engine.dispose()


async def _rewrap(url: str, keyring: Keyring) -> int:
    """Re-wrap each draft key not yet under the active key; a row changed meanwhile is skipped."""
    engine = database.create_engine(url)
    moved = 0
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(drafts.c.id, drafts.c.key_id, drafts.c.wrapped_key)
                                       .where(drafts.c.key_id != keyring.active))).all()
        for draft_id, key_id, wrapped in rows:
            data_key = crypto.unwrap_key(keyring.kek(key_id), key_id, draft_id, wrapped)
            new = crypto.wrap_key(keyring.kek(keyring.active), keyring.active, draft_id, data_key)
            async with engine.begin() as conn:
                result = await conn.execute(
                    update(drafts).where((drafts.c.id == draft_id) & (drafts.c.key_id == key_id))
                    .values(key_id=keyring.active, wrapped_key=new))
                moved += result.rowcount
        await _reseal_contacts(engine, keyring)
    finally:
        await engine.dispose()
    return moved


async def _reseal_contacts(engine: AsyncEngine, keyring: Keyring) -> None:
    """Where to notify applicants is encrypted under a key-encryption key too: move it over."""
    s = submissions.c
    async with engine.connect() as conn:
        rows = (await conn.execute(select(s.reference, s.contact, s.contact_key_id).where(
            s.contact.is_not(None) & (s.contact_key_id != keyring.active)))).all()
    for reference, sealed, key_id in rows:
        contact, language = open_contact(keyring, reference, sealed, key_id)
        async with engine.begin() as conn:
            await conn.execute(update(submissions).where(
                (s.reference == reference) & (s.contact_key_id == key_id)).values(
                    contact=seal_contact(keyring, reference, contact, language),
                    contact_key_id=keyring.active))


def _path(settings: Settings) -> Path:
    assert settings.key_file is not None
    return settings.key_file


def _load(settings: Settings) -> Keyring:
    keyring = load_keyring(_path(settings))
    if keyring is None:
        raise KeyMissing(f"no key file at {_path(settings)}; create one: antragslotse keys init")
    return keyring


def _replace_file(path: Path, keyring: Keyring) -> None:
    """Write the new key file next to the old one, then swap atomically."""
    fresh = path.with_suffix(".new")
    fresh.unlink(missing_ok=True)
    write_key_file(fresh, keyring)
    os.replace(fresh, path)
