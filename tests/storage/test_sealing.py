"""HPKE hand-off: every recipient opens, nobody else does, the formats stay readable."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from storage import crypto, keyfiles, sealing
from storage.sealing import Envelope, NotRecipient, PrivateKey
from tests.storage.backends import OFFICE, RECOVERY

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_PASSPHRASE = "golden passphrase, not secret"
REF = "LEV-2026-0042"
PARTS = {"application.json": b'{"name": "Zzyzx"}', "attachments/a1": b"%PDF-1.4"}


@pytest.fixture(scope="module")
def envelope() -> Envelope:
    return sealing.seal(REF, PARTS, [OFFICE.public_key(), RECOVERY.public_key()])


@pytest.mark.parametrize("key", [OFFICE, RECOVERY], ids=["office", "recovery"])
def test_every_recipient_opens(envelope: Envelope, key: PrivateKey) -> None:
    assert sealing.open_envelope(envelope, key) == PARTS


def test_a_third_key_cannot_open(envelope: Envelope) -> None:
    stranger = PrivateKey.generate()
    with pytest.raises(NotRecipient):
        sealing.open_envelope(envelope, stranger)
    # Nor by claiming someone else's wrap for itself.
    stolen = {stranger.public_key().fingerprint: envelope.wraps[OFFICE.public_key().fingerprint]}
    with pytest.raises(crypto.Undecryptable):
        sealing.open_envelope(replace(envelope, wraps=stolen), stranger)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda e: replace(e, parts={**e.parts, "attachments/a1": _flip(e.parts["attachments/a1"])}),
        lambda e: replace(
            e, parts={"application.json": e.parts["attachments/a1"], "attachments/a1": b""}
        ),
        lambda e: replace(e, reference="LEV-2026-0043"),
        lambda e: replace(e, wraps={k: _flip(w) for k, w in e.wraps.items()}),
    ],
    ids=["flipped-bit", "swapped-parts", "other-reference", "flipped-wrap"],
)
def test_tampering_is_refused(envelope: Envelope, tamper: object) -> None:
    with pytest.raises(crypto.Undecryptable):
        sealing.open_envelope(tamper(envelope), OFFICE)  # type: ignore[operator]


def _flip(blob: bytes) -> bytes:
    return blob[:-1] + bytes([blob[-1] ^ 1])


def test_sealing_needs_a_recipient() -> None:
    with pytest.raises(ValueError, match="recipient"):
        sealing.seal(REF, PARTS, [])


def test_public_key_file_round_trip() -> None:
    text = keyfiles.dump_public(OFFICE.public_key())
    assert sealing.format_fingerprint(OFFICE.public_key().fingerprint) in text
    assert keyfiles.load_public(text) == OFFICE.public_key()
    with pytest.raises(ValueError):
        keyfiles.load_public(text.replace("PUBLIC", "PRIVATE"))


def test_private_key_file_round_trip_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "office.key"
    keyfiles.write_private(path, OFFICE, "correct horse battery staple")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = json.loads(path.read_text())
    assert doc["kdf"]["name"] == "argon2id" and doc["kdf"]["memory_cost"] >= 65536
    key = keyfiles.read_private(path, "correct horse battery staple")
    assert key.public_key() == OFFICE.public_key()
    with pytest.raises(FileExistsError):
        keyfiles.write_private(path, OFFICE, "correct horse battery staple")


def test_wrong_passphrase_is_refused() -> None:
    text = keyfiles.dump_private(OFFICE, "correct horse battery staple")
    with pytest.raises(keyfiles.WrongPassphrase):
        keyfiles.load_private(text, "correct horse battery stable")


def test_golden_envelope_opens() -> None:
    key = keyfiles.read_private(GOLDEN / "recipient.key", GOLDEN_PASSPHRASE)
    assert keyfiles.read_public(GOLDEN / "recipient.pub") == key.public_key()
    doc = json.loads((GOLDEN / "envelope-v1.json").read_text(encoding="utf-8"))
    envelope = Envelope(
        doc["reference"],
        {n: bytes.fromhex(c) for n, c in doc["parts"].items()},
        {f: bytes.fromhex(w) for f, w in doc["wraps"].items()},
    )
    opened = sealing.open_envelope(envelope, key)
    assert {n: p.decode() for n, p in opened.items()} == doc["plaintexts"]
