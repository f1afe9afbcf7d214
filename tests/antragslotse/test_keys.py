"""Key rotation end to end: init, rotate (re-wrap), retire — drafts stay readable throughout."""

from __future__ import annotations

from pathlib import Path

import pytest

from antragslotse import keys
from antragslotse.settings import Settings
from dialogs.progress import Progress
from secretariat.keys import keygen
from storage.bootstrap import open_store
from storage.keys import ENV_VAR, Keyring, load_keyring
from storage.ports import KeyMissing
from storage.sql import SqlStore


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv(ENV_VAR, raising=False)
    keygen(tmp_path / "pub", "a-long-passphrase")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return Settings(data_dir=tmp_path,  # type: ignore[call-arg]
                    secretariat_public_key=tmp_path / "pub" / "secretariat.pub")


async def drafts_readable(settings: Settings, owners: list[str]) -> bool:
    assert settings.secretariat_public_key is not None
    store = await open_store(settings.database_url, key_file=settings.key_file,
                             recipient_files=[settings.secretariat_public_key])
    try:
        async with store.unit() as uow:
            for owner in owners:
                if await uow.load_draft(owner) is None:
                    await uow.save_draft(uow.new_draft(owner, Progress("welcome")))
        async with store.unit() as uow:
            return all([await uow.load_draft(o) is not None for o in owners])
    finally:
        await store.close()


async def test_rotate_rewraps_and_retire_removes_the_old_key(settings: Settings) -> None:
    keys.init(settings)
    assert await drafts_readable(settings, ["tg:1", "tg:2"])
    old = load_keyring(settings.key_file)
    assert old is not None
    assert "2 draft(s)" in await _in_thread(keys.status, settings)
    assert "2 draft key(s) re-wrapped" in await _in_thread(keys.rotate, settings)
    assert old.active in await _in_thread(keys.retire, settings)
    new = load_keyring(settings.key_file)
    assert new is not None and old.active not in new.keks and new.index_key == old.index_key
    assert await drafts_readable(settings, ["tg:1", "tg:2"])
    assert "secretariat public key" in await _in_thread(keys.status, settings)


async def test_init_refuses_to_overwrite_and_status_needs_a_key(settings: Settings) -> None:
    with pytest.raises(KeyMissing):
        await _in_thread(keys.status, settings)
    keys.init(settings)
    with pytest.raises(FileExistsError):
        keys.init(settings)


async def _in_thread(function: object, settings: Settings) -> str:
    """The key commands run their own event loop, as the CLI does."""
    import asyncio

    return await asyncio.to_thread(function, settings)  # type: ignore[arg-type]


async def test_a_wrong_key_file_stops_start_up(settings: Settings) -> None:
    keys.init(settings)
    assert await drafts_readable(settings, ["tg:1"])
    right = load_keyring(settings.key_file)
    assert right is not None
    wrong = Keyring.generate()
    forged = Keyring({right.active: wrong.keks[wrong.active]}, right.active, right.index_key)
    assert settings.key_file is not None
    settings.key_file.write_text(forged.to_json(), encoding="utf-8")
    with pytest.raises(KeyMissing, match="does not open the stored drafts"):
        await drafts_readable(settings, ["tg:1"])


async def test_a_running_bot_takes_a_rotated_key_file(settings: Settings) -> None:
    from antragslotse.wiring import reload_keys

    keys.init(settings)
    assert settings.secretariat_public_key is not None
    store = await open_store(settings.database_url, key_file=settings.key_file,
                             recipient_files=[settings.secretariat_public_key])
    try:
        async with store.unit() as uow:
            await uow.save_draft(uow.new_draft("tg:1", Progress("welcome")))
        await _in_thread(keys.rotate, settings)
        assert reload_keys(store, settings)
        async with store.unit() as uow:
            draft = await uow.load_draft("tg:1")
            assert draft is not None
            await uow.save_draft(uow.new_draft("tg:2", Progress("welcome")))
        assert "0 draft(s)" in await _in_thread(keys.status, settings)  # all on the new key
    finally:
        await store.close()


async def test_rotation_while_running_needs_no_signal(settings: Settings) -> None:
    from antragslotse.wiring import reload_keys

    keys.init(settings)
    assert settings.secretariat_public_key is not None
    store = await open_store(settings.database_url, key_file=settings.key_file,
                             recipient_files=[settings.secretariat_public_key])
    store.refresh_keys = lambda: reload_keys(store, settings)
    try:
        async with store.unit() as uow:
            await uow.save_draft(uow.new_draft("tg:1", Progress("welcome")))
        await _in_thread(keys.rotate, settings)  # re-wraps under a key the store never saw
        async with store.unit() as uow:
            assert await uow.load_draft("tg:1") is not None
    finally:
        await store.close()


async def test_notification_addresses_survive_rotation_and_retirement(
        settings: Settings) -> None:
    from antragslotse import wiring
    from antragslotse.profile import load_profile
    from antragslotse.settings import PACKAGED_PROFILE
    from storage.outbox import Courier

    async def submit(store: SqlStore, user: int, language: str) -> str:
        async with store.unit() as uow:
            draft = await uow.save_draft(uow.new_draft(f"tg:{user}", Progress(
                "welcome", language=language, contact=f"tg:{user}")))
            return await uow.submit(draft, b"{}", [], False)

    keys.init(settings)
    board = load_profile(PACKAGED_PROFILE)
    running = await wiring.store(settings, board)  # a bot started before the rotation
    try:
        before = await submit(running, 6, "ps")
        courier = Courier(running.engine, running.keys_for)
        await _in_thread(keys.rotate, settings)
        other = await wiring.store(settings, board)  # a replica started after it
        try:
            after = await submit(other, 7, "ti")
        finally:
            await other.close()
        assert await courier.address(after) == ("tg:7", "ti")  # the new key, reloaded
        assert "Retired: 2026" in await _in_thread(keys.retire, settings)
    finally:
        await running.close()
    fresh = await wiring.store(settings, board)  # only the new key left
    try:
        courier = Courier(fresh.engine, fresh.keys_for)
        assert await courier.address(before) == ("tg:6", "ps")  # re-encrypted by rotate
        async with fresh.unit() as uow:
            assert [s.language for s in await uow.submissions_of("tg:6")] == ["ps"]
    finally:
        await fresh.close()
