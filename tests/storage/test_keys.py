"""The keyring: a loud development key on the first run, never a silent new key later."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from dialogs.progress import Progress
from storage.bootstrap import open_store, prepare_keyring
from storage.keyfiles import dump_public
from storage.keys import ENV_VAR, REMEMBERED_OWNERS, Keyring, resolve_keyring, write_key_file
from storage.ports import KeyMissing
from tests.storage.backends import OFFICE


@pytest.fixture
def pub(tmp_path: Path) -> Path:
    path = tmp_path / "office.pub"
    path.write_text(dump_public(OFFICE.public_key()))
    return path


async def test_first_run_creates_a_development_key_loudly(
    tmp_path: Path, pub: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key_file = tmp_path / "keys" / "antragslotse-keys.json"
    with caplog.at_level(logging.WARNING, logger="storage.keys"):
        store = await open_store(
            f"sqlite:///{tmp_path / 'db.sqlite'}", key_file=key_file, recipient_files=[pub]
        )
    await store.close()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Keyring.from_json(key_file.read_text()) == store.keyring
    warning = next(r for r in caplog.records if r.levelno == logging.WARNING)
    for phrase in ("DEVELOPMENT KEY", "Back this file up", "real key in production"):
        assert phrase in warning.getMessage()


async def test_existing_data_without_the_key_file_raises_key_missing(
    tmp_path: Path, pub: Path
) -> None:
    url, key_file = f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "keys.json"
    store = await open_store(url, key_file=key_file, recipient_files=[pub])
    try:
        async with store.unit() as unit:
            await unit.save_draft(unit.new_draft("tg:1", Progress("q")))
    finally:
        await store.close()
    key_file.rename(tmp_path / "elsewhere.json")
    with pytest.raises(KeyMissing, match="restore the key file"):
        await open_store(url, key_file=key_file, recipient_files=[pub])
    assert not key_file.exists()  # and no new key was made


async def test_a_key_id_in_use_but_not_in_the_keyring_raises_key_missing(
    tmp_path: Path, pub: Path
) -> None:
    url, key_file = f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "keys.json"
    store = await open_store(url, key_file=key_file, recipient_files=[pub])
    try:
        async with store.unit() as unit:
            await unit.save_draft(unit.new_draft("tg:1", Progress("q")))
        key_file.unlink()
        write_key_file(key_file, Keyring.generate())
        with pytest.raises(KeyMissing, match=store.keyring.active):
            await prepare_keyring(store.engine, key_file)
    finally:
        await store.close()


def test_environment_variable_wins_over_the_file(tmp_path: Path) -> None:
    from_env, from_file = Keyring.generate(), Keyring.generate()
    write_key_file(tmp_path / "keys.json", from_file)
    env = {ENV_VAR: from_env.to_json()}
    loaded = resolve_keyring(tmp_path / "keys.json", has_data=True, key_ids_in_use=(), environ=env)
    assert loaded == from_env


def test_rotation_keeps_old_keys_readable() -> None:
    old = Keyring.generate()
    new = old.rotated()
    assert new.active != old.active
    assert new.kek(old.active) == old.kek(old.active)
    assert new.owner_hash("tg:1") == old.owner_hash("tg:1")
    assert Keyring.from_json(new.to_json()) == new


@pytest.mark.parametrize(
    "text", ["{}", "not json", '{"format": "antragslotse-keyring", "version": 1}']
)
def test_malformed_key_files_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Keyring.from_json(text)


def test_owner_hash_is_keyed_and_separated_by_purpose() -> None:
    one, two = Keyring.generate(), Keyring.generate()
    assert one.owner_hash("tg:1") == one.owner_hash("tg:1")
    assert one.owner_hash("tg:1") != two.owner_hash("tg:1")
    assert one.owner_hash("tg:1") != one.blind("case", "tg:1")
    assert len(one.owner_hash("tg:1")) == 32


def test_keys_stay_out_of_reprs() -> None:
    keyring = Keyring.generate()
    shown = repr(keyring)
    assert keyring.active in shown
    assert all(k.hex() not in shown and repr(k) not in shown for k in keyring.keks.values())
    assert repr(keyring.index_key) not in shown


def test_remembered_owner_hashes_are_the_blind_index_and_stay_bounded() -> None:
    ring = Keyring.generate()
    owners = [f"tg:{n}" for n in range(REMEMBERED_OWNERS + 10)]
    for owner in owners * 2:
        assert ring.owner_hash(owner) == ring.blind("owner", owner)
    assert len(ring._owners) <= REMEMBERED_OWNERS
