"""Field encryption refuses everything but the right key in the right place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, update

from dialogs import codec
from dialogs.progress import Progress
from storage import crypto
from storage.keys import Keyring
from storage.models import attachments, drafts
from storage.ports import KeyMissing
from storage.sql import SqlStore
from tests.storage.backends import replica

GOLDEN = Path(__file__).parent / "golden"
KEY = bytes(range(32))
AD = crypto.place("drafts", "d1", "progress")


def test_round_trip() -> None:
    blob = crypto.encrypt(KEY, b"Zzyzx", AD)
    assert blob[0] == crypto.FORMAT and b"Zzyzx" not in blob
    assert crypto.decrypt(KEY, blob, AD) == b"Zzyzx"
    assert crypto.encrypt(KEY, b"Zzyzx", AD) != blob  # random nonces


@pytest.mark.parametrize("position", [0, 1, 12, 13, -1])
def test_tampered_ciphertext_is_refused(position: int) -> None:
    blob = bytearray(crypto.encrypt(KEY, b"Zzyzx", AD))
    blob[position] ^= 0x01
    with pytest.raises(crypto.Undecryptable):
        crypto.decrypt(KEY, bytes(blob), AD)


@pytest.mark.parametrize(
    "ad",
    [
        crypto.place("drafts", "d2", "progress"),  # another row
        crypto.place("drafts", "d1", "meta"),  # another field
        crypto.place("attachments", "d1", "progress"),  # another table
    ],
)
def test_ciphertext_moved_elsewhere_is_refused(ad: bytes) -> None:
    with pytest.raises(crypto.Undecryptable):
        crypto.decrypt(KEY, crypto.encrypt(KEY, b"Zzyzx", AD), ad)


@pytest.mark.parametrize("blob", [b"", b"\x01short", b"\x02" + bytes(40)])
def test_truncated_or_unknown_format_is_refused(blob: bytes) -> None:
    with pytest.raises(crypto.Undecryptable):
        crypto.decrypt(KEY, blob, AD)


@pytest.mark.parametrize(
    ("kek", "key_id", "draft_id"),
    [(bytes(32), "k1", "d1"), (KEY, "k2", "d1"), (KEY, "k1", "d2")],
)
def test_data_key_unwraps_only_with_its_kek_key_id_and_draft(
    kek: bytes, key_id: str, draft_id: str
) -> None:
    wrapped = crypto.wrap_key(KEY, "k1", "d1", bytes(range(32, 64)))
    assert crypto.unwrap_key(KEY, "k1", "d1", wrapped) == bytes(range(32, 64))
    with pytest.raises(crypto.Undecryptable):
        crypto.unwrap_key(kek, key_id, draft_id, wrapped)


def test_golden_draft_decrypts() -> None:
    doc = json.loads((GOLDEN / "draft-v1.json").read_text(encoding="utf-8"))
    kek, draft_id = bytes.fromhex(doc["kek"]), doc["draft_id"]
    data_key = crypto.unwrap_key(kek, doc["key_id"], draft_id, bytes.fromhex(doc["wrapped_key"]))
    assert data_key.hex() == doc["data_key"]
    place = crypto.place("drafts", draft_id, "progress")
    plaintext = crypto.decrypt(data_key, bytes.fromhex(doc["progress"]), place)
    assert plaintext.decode() == doc["plaintext"]
    assert codec.loads(plaintext).language == "ar"  # and the progress format still reads


async def test_wrong_kek_is_refused_by_the_store(sql: SqlStore) -> None:
    async with sql.unit() as unit:
        await unit.save_draft(unit.new_draft("tg:1", Progress("q")))
    impostor = Keyring({sql.keyring.active: bytes(32)}, sql.keyring.active, sql.keyring.index_key)
    stranger = Keyring.generate()
    other = Keyring(stranger.keks, stranger.active, sql.keyring.index_key)
    for keyring, refused in ((impostor, crypto.Undecryptable), (other, KeyMissing)):
        store = replica(sql, keyring)
        with pytest.raises(refused):
            async with store.unit() as unit:
                await unit.load_draft("tg:1")
        await store.close()


async def test_ciphertext_moved_between_rows_is_refused_by_the_store(sql: SqlStore) -> None:
    async with sql.unit() as unit:
        one = await unit.save_draft(unit.new_draft("tg:1", Progress("q")))
        aid = await unit.add_attachment(one, b"first", "pdf", "application/pdf")
        bid = await unit.add_attachment(one, b"second", "pdf", "application/pdf")
    async with sql.engine.begin() as conn:  # same draft, same key, another row
        content = (
            await conn.execute(select(attachments.c.content).where(attachments.c.id == aid))
        ).scalar()
        await conn.execute(
            update(attachments).where(attachments.c.id == bid).values(content=content)
        )
    with pytest.raises(crypto.Undecryptable):
        async with sql.unit() as unit:
            await unit.read_attachment(one, bid)


async def test_progress_moved_to_another_field_is_refused(sql: SqlStore) -> None:
    async with sql.unit() as unit:
        one = await unit.save_draft(unit.new_draft("tg:1", Progress("q")))
        aid = await unit.add_attachment(one, b"first", "pdf", "application/pdf")
    async with sql.engine.begin() as conn:
        meta = (
            await conn.execute(select(attachments.c.meta).where(attachments.c.id == aid))
        ).scalar()
        await conn.execute(update(attachments).values(content=meta))
    with pytest.raises(crypto.Undecryptable):
        async with sql.unit() as unit:
            await unit.read_attachment(one, aid)


async def test_deleted_draft_key_leaves_ciphertext_unreadable(sql: SqlStore) -> None:
    async with sql.unit() as unit:
        draft = await unit.save_draft(unit.new_draft("tg:1", Progress("q")))
    async with sql.engine.connect() as conn:
        stolen = (await conn.execute(select(drafts.c.progress))).scalar_one()  # e.g. a backup
    async with sql.unit() as unit:
        assert await unit.delete_draft("tg:1")
        # A new draft gets a new data key; the old ciphertext planted there does not open.
        newcomer = await unit.save_draft(unit.new_draft("tg:2", Progress("q")))
    async with sql.engine.begin() as conn:
        assert (
            await conn.execute(select(drafts.c.wrapped_key).where(drafts.c.id == draft.id))
        ).first() is None
        await conn.execute(update(drafts).where(drafts.c.id == newcomer.id).values(progress=stolen))
    with pytest.raises(crypto.Undecryptable):
        async with sql.unit() as unit:
            await unit.load_draft("tg:2")
