"""Recipient key files: an armored public key, a passphrase-protected private key (JSON).

The private key is encrypted with AES-256-GCM under a key derived from the passphrase
with Argon2id (RFC 9106, second recommended parameter set); the KDF parameters are
stored in the file so they can be raised later without breaking old files.
"""

from __future__ import annotations

import base64
import json
import os
import textwrap
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from storage import crypto
from storage.sealing import SUITE_NAME, PrivateKey, RecipientKey, format_fingerprint

PUBLIC_BEGIN = "-----BEGIN ANTRAGSLOTSE PUBLIC KEY-----"
PUBLIC_END = "-----END ANTRAGSLOTSE PUBLIC KEY-----"
PRIVATE_FORMAT = "antragslotse-private-key"
ARGON2 = {"iterations": 3, "lanes": 4, "memory_cost": 65536}


class WrongPassphrase(Exception):
    """The passphrase does not open this private key file."""


def dump_public(key: RecipientKey) -> str:
    """The armored text of a public key file."""
    body = "\n".join(textwrap.wrap(base64.b64encode(key.to_bytes()).decode("ascii"), 64))
    return (
        f"{PUBLIC_BEGIN}\nSuite: {SUITE_NAME}\n"
        f"Fingerprint: {format_fingerprint(key.fingerprint)}\n\n{body}\n{PUBLIC_END}\n"
    )


def load_public(text: str) -> RecipientKey:
    """Parse :func:`dump_public`; ValueError if it is not a public key file."""
    lines = [line.strip() for line in text.strip().splitlines()]
    if not lines or lines[0] != PUBLIC_BEGIN or lines[-1] != PUBLIC_END:
        raise ValueError("not an antragslotse public key file")
    body = "".join(line for line in lines[1:-1] if line and ":" not in line)
    return RecipientKey.from_bytes(base64.b64decode(body, validate=True))


def read_public(path: Path) -> RecipientKey:
    """Load a public key file."""
    return load_public(path.read_text(encoding="ascii"))


def _kdf(passphrase: str, salt: bytes, params: dict[str, Any]) -> bytes:
    return Argon2id(
        salt=salt,
        length=32,
        iterations=int(params["iterations"]),
        lanes=int(params["lanes"]),
        memory_cost=int(params["memory_cost"]),
    ).derive(passphrase.encode())


def _ad(fingerprint: str) -> bytes:
    return f"{PRIVATE_FORMAT}|1|{fingerprint}".encode()


def dump_private(key: PrivateKey, passphrase: str) -> str:
    """The JSON text of a private key file, encrypted under the passphrase."""
    if not passphrase:
        raise ValueError("a passphrase is required")
    salt = os.urandom(16)
    fingerprint = key.public_key().fingerprint
    blob = crypto.encrypt(_kdf(passphrase, salt, ARGON2), key.to_bytes(), _ad(fingerprint))
    doc = {
        "format": PRIVATE_FORMAT,
        "version": 1,
        "suite": SUITE_NAME,
        "fingerprint": fingerprint,
        "kdf": {"name": "argon2id", "salt": _b64(salt), **ARGON2},
        "key": _b64(blob),
    }
    return json.dumps(doc, indent=2) + "\n"


def load_private(text: str, passphrase: str) -> PrivateKey:
    """Decrypt a private key file; WrongPassphrase if the passphrase does not fit."""
    try:
        doc = json.loads(text)
        if doc["format"] != PRIVATE_FORMAT or doc["version"] != 1:
            raise ValueError("not an antragslotse private key file")
        kdf, fingerprint = doc["kdf"], str(doc["fingerprint"])
        if kdf["name"] != "argon2id":
            raise ValueError(f"unsupported key derivation {kdf['name']!r}")
        secret = _kdf(passphrase, base64.b64decode(kdf["salt"]), kdf)
        blob = base64.b64decode(doc["key"])
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError("malformed private key file") from exc
    try:
        key = PrivateKey.from_bytes(crypto.decrypt(secret, blob, _ad(fingerprint)))
    except crypto.Undecryptable:
        raise WrongPassphrase("wrong passphrase for this private key file") from None
    if key.public_key().fingerprint != fingerprint:
        raise ValueError("private key file is inconsistent with its fingerprint")
    return key


def read_private(path: Path, passphrase: str) -> PrivateKey:
    """Load and decrypt a private key file."""
    return load_private(path.read_text(encoding="utf-8"), passphrase)


def write_private(path: Path, key: PrivateKey, passphrase: str) -> None:
    """Write a private key file with mode 0600, refusing to overwrite."""
    text = dump_private(key, passphrase)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
