"""Shared start-up: the board profile, the checked interview, the store with its keys."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from antragslotse.profile import Profile, load_profile, text_values
from antragslotse.settings import Settings
from dialogs import checks
from dialogs.content import INTERVIEW
from dialogs.content.addendum import ADDENDUM
from dialogs.model import Interview
from locales.catalogs import Catalogs
from locales.render import Renderer
from storage.bootstrap import open_store
from storage.sealing import format_fingerprint
from storage.sql import SqlStore

log = logging.getLogger(__name__)
DEV_PASSPHRASE_VARIABLE = "ANTRAGSLOTSE_DEV_PASSPHRASE"
DEV_PASSPHRASE = "development-only-passphrase"


class SetupError(Exception):
    """Configuration that must be fixed before the bot can run."""


def interview() -> Interview:
    """The interview, checked once (with the Nachtrag's): a broken definition stops start-up."""
    checks.check(INTERVIEW)
    checks.check(ADDENDUM)
    return INTERVIEW


def profile(settings: Settings) -> Profile:
    board = load_profile(settings.profile)
    if settings.production and not board.verified:
        log.warning("the board profile's contact details are not marked as verified")
    return board


def renderer(catalogs: Catalogs, board: Profile) -> Renderer:
    """The renderer, with the board's own values available to every text."""
    return Renderer(catalogs, text_values(board))


def recipient_files(settings: Settings) -> list[Path]:
    """The public keys applications are sealed to: the secretariat's and the recovery key."""
    configured = [p for p in (settings.secretariat_public_key, settings.recovery_public_key) if p]
    if configured:
        missing = [str(p) for p in configured if not p.is_file()]
        if missing:
            raise SetupError(f"public key file not found: {', '.join(missing)}")
        return configured
    if settings.production:
        raise SetupError("set ANTRAGSLOTSE_SECRETARIAT_PUBLIC_KEY and "
                         "ANTRAGSLOTSE_RECOVERY_PUBLIC_KEY (see README: keys)")
    return _development_recipients(settings.data_dir / "dev-keys")


def _development_recipients(directory: Path) -> list[Path]:
    from secretariat.keys import keygen

    passphrase = os.environ.get(DEV_PASSPHRASE_VARIABLE, DEV_PASSPHRASE)
    paths = []
    for name in ("secretariat", "recovery"):
        if not (directory / f"{name}.pub").is_file():
            keygen(directory, passphrase, name)
            log.warning("DEVELOPMENT KEY: created %s key pair in %s (passphrase from %s or the "
                        "built-in development passphrase). Never use it for real applications.",
                        name, directory, DEV_PASSPHRASE_VARIABLE)
        paths.append(directory / f"{name}.pub")
    return paths


async def store(settings: Settings, board: Profile) -> SqlStore:
    """Open the configured database: migrated, keys checked, recipients loaded."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    opened = await open_store(settings.database_url, key_file=settings.key_file,
                              recipient_files=recipient_files(settings),
                              reference_prefix=board.reference_prefix)
    opened.refresh_keys = lambda: reload_keys(opened, settings)
    for recipient in opened.recipients:  # for the operator to compare with the secretariat's
        log.info("applications are sealed to key %s", format_fingerprint(recipient.fingerprint))
    return opened


def reload_keys(store: SqlStore, settings: Settings) -> bool:
    """Take a rotated key file into use (SIGHUP); the old keyring stays if the new one is bad."""
    from storage.keys import load_keyring

    try:
        fresh = load_keyring(settings.key_file)
    except (OSError, ValueError) as exc:
        log.error("key file not reloaded: %s", type(exc).__name__)
        return False
    if fresh is None:
        log.error("key file not reloaded: it is gone")
        return False
    store.keyring = fresh
    log.info("key file reloaded; active key %s", fresh.active)
    return True
