"""The keyring: key-encryption keys by id, the active one, and the blind-index key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from storage.ports import KeyMissing

ENV_VAR = "ANTRAGSLOTSE_KEYS"
FORMAT = "antragslotse-keyring"
REMEMBERED_OWNERS = 4096  # blind indexes of owner ids kept at hand (bounded memory)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Keyring:
    """KEKs by key id, the id new data keys are wrapped with, and the blind-index key."""

    keks: Mapping[str, bytes] = field(repr=False)
    active: str
    index_key: bytes = field(repr=False)
    # owner id -> its blind index: every update needs its sender's (an HMAC each time)
    _owners: dict[str, bytes] = field(default_factory=dict, init=False, repr=False,
                                      compare=False)

    def __post_init__(self) -> None:
        if self.active not in self.keks:
            raise KeyMissing(f"the active key id {self.active!r} is not in the keyring")
        if any(len(k) != 32 for k in (*self.keks.values(), self.index_key)):
            raise ValueError("keyring keys must be 256 bits")

    def kek(self, key_id: str) -> bytes:
        """The key-encryption key with this id; KeyMissing if it is not configured."""
        try:
            return self.keks[key_id]
        except KeyError:
            raise KeyMissing(
                f"stored data needs key id {key_id!r}, which is not in the keyring; "
                "restore the key file (or ANTRAGSLOTSE_KEYS) that holds it"
            ) from None

    def blind(self, purpose: str, value: str) -> bytes:
        """A keyed hash (HMAC-SHA256) for finding equal values without storing them."""
        message = purpose.encode() + b"\0" + value.encode()
        return hmac.new(self.index_key, message, hashlib.sha256).digest()

    def owner_hash(self, owner: str) -> bytes:
        """The blind index of an owner id such as ``tg:12345`` (recent ones remembered)."""
        found = self._owners.get(owner)
        if found is None:
            if len(self._owners) >= REMEMBERED_OWNERS:
                self._owners.clear()
            found = self._owners[owner] = self.blind("owner", owner)
        return found

    def rotated(self) -> Keyring:
        """This keyring with a new active KEK; the old ones stay for reading."""
        key_id = new_key_id()
        return replace(self, keks={**self.keks, key_id: secrets.token_bytes(32)}, active=key_id)

    @classmethod
    def generate(cls) -> Keyring:
        """A fresh keyring with one KEK."""
        key_id = new_key_id()
        return cls({key_id: secrets.token_bytes(32)}, key_id, secrets.token_bytes(32))

    def to_json(self) -> str:
        """The key file's text."""
        doc = {
            "format": FORMAT,
            "version": 1,
            "active": self.active,
            "keks": {k: _b64(v) for k, v in self.keks.items()},
            "index_key": _b64(self.index_key),
        }
        return json.dumps(doc, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        """Parse a key file; ValueError if it is not one."""
        try:
            doc = json.loads(text)
            if doc.get("format") != FORMAT or doc.get("version") != 1:
                raise ValueError("not an antragslotse keyring (format/version)")
            keks = {str(k): base64.b64decode(v, validate=True) for k, v in doc["keks"].items()}
            return cls(keks, str(doc["active"]), base64.b64decode(doc["index_key"], validate=True))
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError("malformed keyring") from exc


def new_key_id() -> str:
    """A sortable, unique key id such as ``20260501-3f9a1c2e``."""
    return f"{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"


def load_keyring(path: Path | None, environ: Mapping[str, str] = os.environ) -> Keyring | None:
    """The keyring from ``ANTRAGSLOTSE_KEYS`` or else the key file; None if neither exists."""
    text = environ.get(ENV_VAR)
    if text:
        return Keyring.from_json(text)
    if path is not None and path.exists():
        return Keyring.from_json(path.read_text(encoding="utf-8"))
    return None


def write_key_file(path: Path, keyring: Keyring) -> None:
    """Write the key file readable by its owner only (0600), refusing to overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(keyring.to_json())


def resolve_keyring(
    path: Path | None,
    *,
    has_data: bool,
    key_ids_in_use: Collection[str],
    environ: Mapping[str, str] = os.environ,
) -> Keyring:
    """The configured keyring; a new development key only when there is no data at all."""
    keyring = load_keyring(path, environ)
    if keyring is None:
        if has_data:
            raise KeyMissing(
                f"the database holds drafts or submissions, but there is no key file at {path} "
                f"and {ENV_VAR} is not set; restore the key file from your backup "
                "(a new key would make the stored drafts unreadable)"
            )
        if path is None:
            raise KeyMissing(f"no key file path given and {ENV_VAR} is not set")
        keyring = Keyring.generate()
        write_key_file(path, keyring)
        log.warning(
            "DEVELOPMENT KEY created at %s (key id %s). Back this file up: without it no "
            "draft can be read. Use a real key in production (%s or a managed key file).",
            path,
            keyring.active,
            ENV_VAR,
        )
    for key_id in sorted(set(key_ids_in_use)):
        keyring.kek(key_id)
    return keyring


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
