"""Recently used drafts, decrypted: a bounded cache in front of the SQL store, never its truth.

A load still reads the row; the cached value is used only if the stored ciphertext is byte
for byte the one decrypted (or written) before, so a draft changed by another replica or
tampered with in the database is decrypted afresh. Entries come only from units that
committed, and leave when their draft is deleted. ``size`` 0 turns the cache off.
"""

from __future__ import annotations

from collections import OrderedDict

from dialogs.progress import Progress

CACHED_DRAFTS = 256  # decrypted drafts kept for quick successive answers

Known = tuple[bytes, str, bytes, Progress]  # ciphertext, key id, data key, progress


class DraftCache:
    """The most recently committed drafts, decrypted; least recently used go first."""

    def __init__(self, size: int = CACHED_DRAFTS) -> None:
        self.size = size
        self._entries: OrderedDict[str, Known] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, draft_id: str) -> Known | None:
        return self._entries.get(draft_id)

    def keep(self, entries: dict[str, Known]) -> None:
        for draft_id, entry in entries.items():
            self._entries[draft_id] = entry
            self._entries.move_to_end(draft_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def drop(self, draft_id: str) -> None:
        self._entries.pop(draft_id, None)
