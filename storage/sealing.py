"""Hand-off sealing: HPKE (RFC 9180) to every recipient, so only the secretariat can read.

One random content key per submission encrypts each part with AES-256-GCM (associated
data: ``submissions|<reference>|<part name>``, see :mod:`storage.crypto`). The content
key is sealed with single-shot HPKE, suite ML-KEM-1024+P-384 / HKDF-SHA384 / AES-256-GCM,
to each recipient, ``info = b"antragslotse/submission/v1|" + reference``. A wrap is
``0x01 | HPKE enc | HPKE ciphertext``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric import ec, mlkem

from storage import crypto

SUITE = hpke.Suite(hpke.KEM.MLKEM1024_P384, hpke.KDF.HKDF_SHA384, hpke.AEAD.AES_256_GCM)
SUITE_NAME = "MLKEM1024-P384/HKDF-SHA384/AES-256-GCM"
INFO = b"antragslotse/submission/v1|"
FORMAT = 1
_P384_SCALAR = 48
_MLKEM_SEED = 64


class NotRecipient(Exception):
    """The submission was not sealed to this private key."""


@dataclass(frozen=True)
class RecipientKey:
    """A recipient's public key, kept as its two components (the hybrid has no bytes)."""

    mlkem: mlkem.MLKEM1024PublicKey
    p384: ec.EllipticCurvePublicKey

    def to_bytes(self) -> bytes:
        """``0x01 | ML-KEM-1024 public key | P-384 uncompressed point``."""
        point = self.p384.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return bytes([FORMAT]) + self.mlkem.public_bytes_raw() + point

    @classmethod
    def from_bytes(cls, data: bytes) -> RecipientKey:
        """Parse :meth:`to_bytes`; ValueError if malformed."""
        size = 1568
        if len(data) != 1 + size + 97 or data[0] != FORMAT:
            raise ValueError("not an antragslotse public key")
        key = mlkem.MLKEM1024PublicKey.from_public_bytes(data[1 : 1 + size])
        point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP384R1(), data[1 + size :])
        return cls(key, point)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the serialized key, hex: the recipient's id in the database."""
        return hashlib.sha256(self.to_bytes()).hexdigest()

    def hybrid(self) -> hpke.MLKEM1024P384PublicKey:
        return hpke.MLKEM1024P384PublicKey(self.mlkem, self.p384)


@dataclass(frozen=True)
class PrivateKey:
    """A recipient's private key as its components."""

    mlkem: mlkem.MLKEM1024PrivateKey
    p384: ec.EllipticCurvePrivateKey

    @classmethod
    def generate(cls) -> PrivateKey:
        """A new hybrid key pair."""
        return cls(mlkem.MLKEM1024PrivateKey.generate(), ec.generate_private_key(ec.SECP384R1()))

    def public_key(self) -> RecipientKey:
        return RecipientKey(self.mlkem.public_key(), self.p384.public_key())

    def to_bytes(self) -> bytes:
        """ML-KEM seed (64 bytes) followed by the P-384 scalar (48 bytes, big-endian)."""
        scalar = self.p384.private_numbers().private_value
        return self.mlkem.private_bytes_raw() + scalar.to_bytes(_P384_SCALAR, "big")

    @classmethod
    def from_bytes(cls, data: bytes) -> PrivateKey:
        """Parse :meth:`to_bytes`; ValueError if malformed."""
        if len(data) != _MLKEM_SEED + _P384_SCALAR:
            raise ValueError("private key has the wrong length")
        seed, scalar = data[:_MLKEM_SEED], int.from_bytes(data[_MLKEM_SEED:], "big")
        key = mlkem.MLKEM1024PrivateKey.from_seed_bytes(seed)
        return cls(key, ec.derive_private_key(scalar, ec.SECP384R1()))

    def hybrid(self) -> hpke.MLKEM1024P384PrivateKey:
        return hpke.MLKEM1024P384PrivateKey(self.mlkem, self.p384)


@dataclass(frozen=True)
class Envelope:
    """A sealed submission: encrypted parts and one wrapped content key per recipient."""

    reference: str
    parts: Mapping[str, bytes]
    wraps: Mapping[str, bytes]


def format_fingerprint(hex_digest: str) -> str:
    """Group a fingerprint for reading aloud: ``3f9a 1c2e …``."""
    return " ".join(hex_digest[i : i + 4] for i in range(0, len(hex_digest), 4))


def part_ad(reference: str, name: str) -> bytes:
    """Associated data binding a part to its submission and name."""
    return crypto.place("submissions", reference, name)


def seal(
    reference: str, parts: Mapping[str, bytes], recipients: Sequence[RecipientKey]
) -> Envelope:
    """Encrypt the parts under a fresh content key and seal that key to every recipient."""
    if not recipients:
        raise ValueError("at least one recipient is required")
    content_key = crypto.new_key()
    sealed = {n: crypto.encrypt(content_key, p, part_ad(reference, n)) for n, p in parts.items()}
    info = INFO + reference.encode()
    wraps = {
        r.fingerprint: bytes([FORMAT]) + SUITE.encrypt(content_key, r.hybrid(), info=info)
        for r in recipients
    }
    return Envelope(reference, sealed, wraps)


def open_envelope(envelope: Envelope, key: PrivateKey) -> dict[str, bytes]:
    """Part name → plaintext; NotRecipient or Undecryptable if this key cannot open it."""
    wrap = envelope.wraps.get(key.public_key().fingerprint)
    if wrap is None:
        raise NotRecipient("this submission was not sealed to this key")
    if wrap[:1] != bytes([FORMAT]):
        raise crypto.Undecryptable("unknown key-wrap format")
    try:
        info = INFO + envelope.reference.encode()
        content_key = SUITE.decrypt(wrap[1:], key.hybrid(), info=info)
    except (InvalidTag, ValueError) as exc:
        raise crypto.Undecryptable("the content key does not open") from exc
    ref = envelope.reference
    return {n: crypto.decrypt(content_key, c, part_ad(ref, n)) for n, c in envelope.parts.items()}
