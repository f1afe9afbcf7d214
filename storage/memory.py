"""The reference store in memory: the same contract as SQL, for tests and the "try it" mode.

Units run one at a time (like SQLite's write lock) on a copy of the state that replaces
the committed state only when the block ends cleanly. Nothing is encrypted: nothing
leaves the process.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from dialogs import codec
from dialogs.progress import Progress
from storage import status
from storage.ports import Closed, Conflict, Draft, NotFound, Submission, T, claim_and_save


@dataclass(frozen=True)
class Handed:
    """A submission as the memory store keeps it: queue entry, owner and plain parts."""

    entry: Submission
    owner: str
    parts: dict[str, bytes]
    repeat_key: str | None = None
    addenda: tuple[dict[str, bytes], ...] = ()  # the parts of each Nachtrag, in order


@dataclass
class _State:
    updates: set[int] = field(default_factory=set)
    drafts: dict[str, tuple[str, int, bytes]] = field(default_factory=dict)  # owner → id, v, p
    files: dict[str, tuple[str, bytes, str, str]] = field(default_factory=dict)  # id → draft…
    counters: dict[int, int] = field(default_factory=dict)
    submissions: dict[str, Handed] = field(default_factory=dict)

    def copy(self) -> _State:
        return _State(
            set(self.updates),
            dict(self.drafts),
            dict(self.files),
            dict(self.counters),
            dict(self.submissions),
        )


class MemoryStore:
    """Units of work over in-process state."""

    def __init__(
        self, reference_prefix: str = "LEV", *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.reference_prefix = reference_prefix
        self.clock = clock or (lambda: datetime.now(UTC))
        self.state = _State()
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[MemoryUnit]:
        """A transaction: commits on clean exit, rolls back on an exception."""
        async with self._lock:
            work = MemoryUnit(self.state.copy(), self)
            yield work
            self.state = work.state

    def known(self, owner: str) -> Draft | None:
        """The owner's stored draft (in memory it is never stale)."""
        stored = self.state.drafts.get(owner)
        return None if stored is None else Draft(stored[0], owner, stored[1],
                                                 codec.loads(stored[2]))

    async def save_answer(self, draft: Draft, update_id: int, meanwhile: Callable[[], T]
                          ) -> tuple[Draft, T] | None:
        """Claim the update and save the draft together, if both are still due."""
        try:
            async with self.unit() as work:
                saved = await claim_and_save(work, draft, update_id)
        except Conflict:
            return None
        return saved, meanwhile()  # (in memory there is no disk to wait for)

    def submitted(self) -> list[Handed]:
        """Every submission so far, oldest first."""
        return list(self.state.submissions.values())


class MemoryUnit:
    """One unit's view of the memory store."""

    def __init__(self, state: _State, store: MemoryStore) -> None:
        self.state = state
        self._store = store

    async def claim_update(self, update_id: int) -> bool:
        """Record an update id; False if it was processed before (a re-delivery)."""
        if update_id in self.state.updates:
            return False
        self.state.updates.add(update_id)
        return True

    async def load_draft(self, owner: str) -> Draft | None:
        """The owner's draft, or None."""
        stored = self.state.drafts.get(owner)
        if stored is None:
            return None
        draft_id, version, blob = stored
        return Draft(draft_id, owner, version, codec.loads(blob))

    def new_draft(self, owner: str, progress: Progress) -> Draft:
        """A fresh, unsaved draft (version 0) with a new id."""
        return Draft(uuid.uuid4().hex, owner, 0, progress)

    async def save_draft(self, draft: Draft) -> Draft:
        """Store; raises Conflict if the stored version moved on."""
        stored = self.state.drafts.get(draft.owner)
        current = (stored[0], stored[1]) if stored else None
        expected = None if draft.version == 0 else (draft.id, draft.version)
        taken = draft.version == 0 and self._draft_owner(draft.id) is not None
        if current != expected or taken:
            raise Conflict(f"draft {draft.id} changed since version {draft.version}")
        self.state.drafts[draft.owner] = (draft.id, draft.version + 1, codec.dumps(draft.progress))
        return replace(draft, version=draft.version + 1)

    async def delete_draft(self, owner: str) -> bool:
        """Erase the draft and its attachments."""
        stored = self.state.drafts.pop(owner, None)
        if stored is None:
            return False
        files = self.state.files
        self.state.files = {k: v for k, v in files.items() if v[0] != stored[0]}
        return True

    async def add_attachment(self, draft: Draft, data: bytes, kind: str, mime: str) -> str:
        """Store a file of a saved draft; returns its id."""
        if draft.version == 0 or self._draft_owner(draft.id) is None:
            raise NotFound(f"no stored draft {draft.id}")
        attachment_id = uuid.uuid4().hex
        self.state.files[attachment_id] = (draft.id, bytes(data), kind, mime)
        return attachment_id

    async def remove_attachments(self, draft: Draft, attachment_ids: Sequence[str]) -> int:
        """Delete files of this draft; returns how many."""
        gone = [a for a in attachment_ids if self.state.files.get(a, ("",))[0] == draft.id]
        for attachment_id in gone:
            del self.state.files[attachment_id]
        return len(gone)

    async def read_attachment(self, draft: Draft, attachment_id: str) -> bytes:
        """A stored file of this draft."""
        stored = self.state.files.get(attachment_id)
        if stored is None or stored[0] != draft.id:
            raise NotFound(f"no attachment {attachment_id} in this draft")
        return stored[1]

    async def submit(
        self, draft: Draft, application: bytes, attachment_ids: Sequence[str], urgent: bool,
        repeat_key: str | None = None,
    ) -> str:
        """Queue the application and files, erase the draft; returns the reference."""
        parts = await self._take(draft, "application.json", application, attachment_ids)
        now = self._store.clock()
        number = self.state.counters.get(now.year, 0) + 1
        self.state.counters[now.year] = number
        reference = f"{self._store.reference_prefix}-{now.year}-{number:04d}"
        earlier = tuple(ref for ref, h in self.state.submissions.items()
                        if repeat_key is not None and h.repeat_key == repeat_key)
        entry = Submission(reference, now, urgent, "new", earlier,
                           language=draft.progress.language)
        self.state.submissions[reference] = Handed(entry, draft.owner, parts, repeat_key)
        await self.delete_draft(draft.owner)
        return reference

    async def add_addendum(
        self, draft: Draft, reference: str, addendum: bytes, attachment_ids: Sequence[str],
    ) -> int:
        """Keep a Nachtrag with the owner's application, erase the draft; returns its number."""
        handed = self.state.submissions.get(reference)
        if handed is None or handed.owner != draft.owner:
            raise NotFound(f"no application {reference} of this person")
        if handed.entry.status in status.CLOSED:
            raise Closed(f"{reference} is {handed.entry.status}")
        parts = await self._take(draft, "addendum.json", addendum, attachment_ids)
        number = len(handed.addenda) + 1
        entry = replace(handed.entry, addenda=number)
        self.state.submissions[reference] = replace(
            handed, entry=entry, addenda=(*handed.addenda, parts))
        await self.delete_draft(draft.owner)
        return number

    async def _take(self, draft: Draft, name: str, document: bytes,
                    attachment_ids: Sequence[str]) -> dict[str, bytes]:
        stored = self.state.drafts.get(draft.owner)
        if stored is None or stored[:2] != (draft.id, draft.version):
            raise Conflict(f"draft {draft.id} was submitted, deleted or changed")
        parts = {name: document}
        for attachment_id in attachment_ids:
            parts[f"attachments/{attachment_id}"] = await self.read_attachment(draft, attachment_id)
        return parts

    async def submissions_of(self, owner: str) -> list[Submission]:
        """The owner's submissions as the queue lists them, oldest first."""
        return [h.entry for h in self.state.submissions.values() if h.owner == owner]

    def _draft_owner(self, draft_id: str) -> str | None:
        return next((o for o, d in self.state.drafts.items() if d[0] == draft_id), None)
