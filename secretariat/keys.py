"""Key pairs for the secretariat and the offline recovery key."""

from __future__ import annotations

from pathlib import Path

from storage import keyfiles
from storage.sealing import PrivateKey, format_fingerprint


def keygen(directory: Path, passphrase: str, name: str = "secretariat") -> str:
    """Write ``<name>.key`` (encrypted, 0600) and ``<name>.pub``; print the fingerprint."""
    if len(passphrase) < 12:
        raise ValueError("choose a passphrase of at least 12 characters")
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / f"{name}.key", directory / f"{name}.pub"
    for path in (private_path, public_path):
        if path.exists():
            raise FileExistsError(f"{path} exists; refusing to overwrite a key")
    key = PrivateKey.generate()
    keyfiles.write_private(private_path, key, passphrase)
    public_path.write_text(keyfiles.dump_public(key.public_key()), encoding="ascii")
    fingerprint = format_fingerprint(key.public_key().fingerprint)
    print(f"Fingerprint of {public_path.name}: {fingerprint}")
    return fingerprint
