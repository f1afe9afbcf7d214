"""Field encryption for drafts: AES-256-GCM with per-draft data keys wrapped by a KEK.

Format of every ciphertext (version 1)::

    0x01 | nonce (12 bytes) | AES-256-GCM ciphertext and tag

The format byte is part of the associated data, and so is the place the ciphertext
belongs to (``table|row id|field``), so a ciphertext copied to another row or field,
or re-labelled with another format byte, fails to decrypt.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = 1
_NONCE = 12
_KEY = 32
_WRAP_LABEL = b"antragslotse/data-key"


class Undecryptable(Exception):
    """A ciphertext failed authentication: wrong key, wrong place, tampered or unknown format."""


def place(table: str, row_id: str, field: str) -> bytes:
    """The associated data that binds a ciphertext to its table, row and field."""
    return f"{table}|{row_id}|{field}".encode()


def new_key() -> bytes:
    """A fresh random 256-bit AES key."""
    return AESGCM.generate_key(bit_length=256)


def encrypt(key: bytes, plaintext: bytes, ad: bytes) -> bytes:
    """Encrypt under a random 96-bit nonce, bound to ``ad``."""
    header = bytes([FORMAT])
    nonce = os.urandom(_NONCE)
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + ad)


def decrypt(key: bytes, blob: bytes, ad: bytes) -> bytes:
    """Decrypt what :func:`encrypt` made for the same ``ad``; raise Undecryptable otherwise."""
    if len(blob) < 1 + _NONCE + 16 or blob[0] != FORMAT:
        raise Undecryptable("unknown ciphertext format")
    nonce, body = blob[1 : 1 + _NONCE], blob[1 + _NONCE :]
    try:
        return AESGCM(key).decrypt(nonce, body, blob[:1] + ad)
    except InvalidTag:
        raise Undecryptable("ciphertext does not authenticate") from None


def _wrap_ad(key_id: str, draft_id: str) -> bytes:
    return b"|".join((_WRAP_LABEL, key_id.encode(), draft_id.encode()))


def wrap_key(kek: bytes, key_id: str, draft_id: str, data_key: bytes) -> bytes:
    """Encrypt a draft's data key under a key-encryption key, bound to draft and key id."""
    return encrypt(kek, data_key, _wrap_ad(key_id, draft_id))


def unwrap_key(kek: bytes, key_id: str, draft_id: str, wrapped: bytes) -> bytes:
    """Recover a draft's data key; raise Undecryptable if it is not this draft's."""
    data_key = decrypt(kek, wrapped, _wrap_ad(key_id, draft_id))
    if len(data_key) != _KEY:
        raise Undecryptable("data key has the wrong length")
    return data_key
