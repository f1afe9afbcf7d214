"""Recently used drafts, decrypted: a bounded cache in front of the SQL store, never its truth.

A load still reads the row; the cached value is used only if the stored ciphertext is byte
for byte the one decrypted (or written) before, so a draft changed by another replica or
tampered with in the database is decrypted afresh. An answer to a draft found here may
skip the load (``SqlStore.known``): its save names the version it was made on, and finds
out if that moved on. Entries come only from units that committed, and leave when their
draft is deleted, or is found gone or replaced (by another replica). ``size`` 0 turns the
cache off.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from dialogs.progress import Progress

CACHED_DRAFTS = 256  # decrypted drafts kept for quick successive answers


@dataclass(frozen=True, slots=True)
class Known:
    """A draft as a committed unit read or wrote it."""

    owner_hash: bytes
    version: int
    blob: bytes  # the ciphertext stored for ``version``
    key_id: str
    data_key: bytes
    progress: Progress


class DraftCache:
    """The most recently committed drafts, decrypted; least recently used go first."""

    def __init__(self, size: int = CACHED_DRAFTS) -> None:
        self.size = size
        self._entries: OrderedDict[str, Known] = OrderedDict()
        self._owners: dict[bytes, str] = {}  # owner hash → draft id

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, draft_id: str) -> Known | None:
        return self._entries.get(draft_id)

    def of(self, owner_hash: bytes) -> tuple[str, Known] | None:
        """The owner's draft id and entry, if cached."""
        draft_id = self._owners.get(owner_hash)
        return None if draft_id is None else (draft_id, self._entries[draft_id])

    def keep(self, entries: dict[str, Known]) -> None:
        for draft_id, entry in entries.items():
            earlier = self._owners.get(entry.owner_hash)
            if earlier is not None and earlier != draft_id:  # replaced elsewhere: gone there
                self.drop(earlier)
            self._entries[draft_id] = entry
            self._entries.move_to_end(draft_id)
            self._owners[entry.owner_hash] = draft_id
        while len(self._entries) > self.size:
            self._unlink(*self._entries.popitem(last=False))

    def drop(self, draft_id: str) -> None:
        entry = self._entries.pop(draft_id, None)
        if entry is not None:
            self._unlink(draft_id, entry)

    def drop_owner(self, owner_hash: bytes) -> None:
        """The owner has no draft in the database (deleted elsewhere): none here either."""
        draft_id = self._owners.get(owner_hash)
        if draft_id is not None:
            self.drop(draft_id)

    def _unlink(self, draft_id: str, entry: Known) -> None:
        if self._owners.get(entry.owner_hash) == draft_id:
            del self._owners[entry.owner_hash]
