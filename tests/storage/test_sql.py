"""What only the SQL store promises: nothing personal on disk, keys rotate, rows cascade."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dialogs.progress import Progress
from dialogs.types import FreeText, Role
from storage import database
from storage.keys import Keyring
from storage.models import (
    drafts,
    processed_updates,
    submission_keys,
    submission_parts,
    submissions,
)
from storage.ports import StoreClosed
from storage.sql import SqlStore
from tests.storage.backends import OFFICE, RECOVERY, replica

MARKER = "Zzyzx-Marker-4711"
OWNER = "tg:987654321"


async def test_nothing_personal_reaches_the_database_files(
    tmp_path: Path, keyring: Keyring
) -> None:
    path = tmp_path / "antragslotse.db"
    engine = database.create_engine(f"sqlite:///{path}")
    store = SqlStore(engine, keyring, [OFFICE.public_key()])
    try:
        await database.migrate(engine)
        progress = Progress("q").with_answer("story", FreeText((MARKER,), "de"), Role.APPLICANT)
        async with store.unit() as unit:
            draft = await unit.save_draft(unit.new_draft(OWNER, progress))
            await unit.add_attachment(draft, MARKER.encode() * 3, "pdf", "application/pdf")
        async with store.unit() as unit:
            other = await unit.save_draft(unit.new_draft("tg:55555", progress))
            await unit.submit(other, MARKER.encode(), [], urgent=True)
        assert Path(f"{path}-wal").stat().st_size > 0
        _assert_absent(path, Path(f"{path}-wal"))
    finally:
        await store.close()
    _assert_absent(path)


def _assert_absent(*paths: Path) -> None:
    for path in paths:
        data = path.read_bytes()
        for needle in (MARKER, OWNER, "987654321", "55555"):
            assert needle.encode() not in data, (needle, path.name)
            assert needle.encode("utf-16-le") not in data, (needle, path.name)


async def test_rotation_rewraps_on_save_and_old_keys_stay_readable(sql: SqlStore) -> None:
    async with sql.unit() as unit:
        draft = await unit.save_draft(unit.new_draft("tg:1", Progress("q")))
    async with replica(sql, sql.keyring.rotated()) as rotated:
        async with rotated.unit() as unit:
            loaded = await unit.load_draft("tg:1")
            assert loaded == draft
            await unit.save_draft(loaded)
        async with sql.engine.connect() as conn:
            key_id = (await conn.execute(select(drafts.c.key_id))).scalar_one()
        assert key_id == rotated.keyring.active != sql.keyring.active
        async with rotated.unit() as unit:
            assert (await unit.load_draft("tg:1")) is not None


async def test_a_submission_is_sealed_to_every_recipient(sql: SqlStore) -> None:
    async with sql.unit() as unit:
        draft = await unit.save_draft(unit.new_draft("tg:1", Progress("q")))
        attachment_id = await unit.add_attachment(draft, b"%PDF", "pdf", "application/pdf")
        reference = await unit.submit(draft, b"{}", [attachment_id], urgent=False)
    fingerprints = sorted(k.public_key().fingerprint for k in (OFFICE, RECOVERY))
    async with sql.engine.connect() as conn:
        row = (await conn.execute(select(submissions))).one()
        wraps = (await conn.execute(select(submission_keys.c.fingerprint))).scalars().all()
        parts = (await conn.execute(select(submission_parts.c.name))).scalars().all()
        left = (await conn.execute(select(func.count()).select_from(drafts))).scalar_one()
    assert (row.reference, row.status, row.urgent, row.sequence) == (reference, "new", False, 1)
    assert sorted(row.recipients.split()) == sorted(wraps) == fingerprints
    assert sorted(parts) == ["application.json", f"attachments/{attachment_id}"]
    assert row.owner_hash == sql.keyring.owner_hash("tg:1")
    assert left == 0


async def test_closing_lets_units_under_way_and_waiting_finish_first(sql: SqlStore) -> None:
    inside = asyncio.Event()

    async def claim(update_id: int, pause: float = 0.0) -> bool:
        async with sql.unit() as unit:
            inside.set()
            await asyncio.sleep(pause)
            return await unit.claim_update(update_id)

    first = asyncio.create_task(claim(1, pause=0.05))
    await inside.wait()
    second = asyncio.create_task(claim(2))
    await asyncio.sleep(0)  # waiting (SQLite: for the writer) when the store closes
    await sql.close()
    assert first.done() and second.done() and first.result() and second.result()
    assert sql.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    async with sql.engine.connect() as conn:
        assert set((await conn.execute(select(processed_updates.c.update_id))).scalars()) \
            == {1, 2}
    with pytest.raises(StoreClosed):
        async with sql.unit():
            pass
