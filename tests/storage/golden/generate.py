"""Write the golden known-answer files. Run once per new format version, never to "fix" a test.

    python tests/storage/golden/generate.py

The files pin our ciphertext formats: if a change makes the tests fail to open them,
old drafts or submissions would become unreadable.
"""

from __future__ import annotations

import json
from pathlib import Path

from dialogs import codec
from dialogs.progress import Progress
from dialogs.types import FreeText, PartialDate, Role
from storage import crypto, keyfiles, sealing

HERE = Path(__file__).parent
PASSPHRASE = "golden passphrase, not secret"


def draft_file() -> dict[str, object]:
    """A draft row as version 1 of the field format stores it."""
    kek, key_id, draft_id = (
        bytes(range(32)),
        "20260101-golden00",
        "0123456789abcdef0123456789abcdef",
    )
    data_key = bytes(range(32, 64))
    progress = (
        Progress("children.count", language="ar")
        .with_answer("birth", PartialDate(1990, 4), Role.APPLICANT)
        .with_answer("story", FreeText(("مرحبا", "Zzyzx"), "ar"), Role.SUPPORTER)
    )
    plaintext = codec.dumps(progress)
    place = crypto.place("drafts", draft_id, "progress")
    return {
        "kek": kek.hex(),
        "key_id": key_id,
        "draft_id": draft_id,
        "wrapped_key": crypto.wrap_key(kek, key_id, draft_id, data_key).hex(),
        "data_key": data_key.hex(),
        "progress": crypto.encrypt(data_key, plaintext, place).hex(),
        "plaintext": plaintext.decode(),
    }


def envelope_file(key: sealing.PrivateKey) -> dict[str, object]:
    """A sealed submission as version 1 of the envelope format stores it."""
    reference = "LEV-2026-0001"
    parts = {"application.json": b'{"name": "Zzyzx"}', "attachments/abc": b"%PDF-1.4 golden"}
    envelope = sealing.seal(reference, parts, [key.public_key()])
    return {
        "reference": reference,
        "parts": {n: c.hex() for n, c in envelope.parts.items()},
        "wraps": {f: w.hex() for f, w in envelope.wraps.items()},
        "plaintexts": {n: p.decode() for n, p in parts.items()},
    }


def main() -> None:
    key = sealing.PrivateKey.generate()
    (HERE / "recipient.key").write_text(keyfiles.dump_private(key, PASSPHRASE))
    (HERE / "recipient.pub").write_text(keyfiles.dump_public(key.public_key()))
    for name, doc in (("draft-v1.json", draft_file()), ("envelope-v1.json", envelope_file(key))):
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        (HERE / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
