"""The storage contract the channels use: one unit of work per incoming update."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from dialogs.progress import Progress

T = TypeVar("T")


class Conflict(Exception):
    """Someone saved the draft in between (another replica, a quick second message)."""


class KeyMissing(Exception):
    """Stored data needs a key-encryption key that is not configured."""


class NotFound(Exception):
    """No such draft, attachment or submission."""


class Closed(Exception):
    """The application was withdrawn or decided: nothing can be added to it."""


class Undone(Exception):
    """Nothing of this unit was committed: another unit of its group failed after writing,
    or the transaction was lost. Trying again may succeed."""


class StoreClosed(RuntimeError):
    """A unit of work was asked for after the store was closed (shutting down)."""


@dataclass(frozen=True)
class Draft:
    """A person's draft; ``version`` 0 means not stored yet."""

    id: str
    owner: str
    version: int
    progress: Progress


@dataclass(frozen=True)
class Submission:
    """A sealed application as the queue lists it: no personal data in plain text."""

    reference: str
    submitted_at: datetime
    urgent: bool
    status: str
    repeat_of: tuple[str, ...] = ()  # earlier references with the same name and birth date
    addenda: int = 0  # Nachträge sent later for this reference
    language: str | None = None  # the applicant's language (only for the applicant's own view)


class UnitOfWork(Protocol):
    """Everything one update may read or write; committed once when the block ends cleanly."""

    async def claim_update(self, update_id: int) -> bool:
        """Record an update id; False if it was processed before (a re-delivery)."""

    async def load_draft(self, owner: str) -> Draft | None:
        """The owner's draft, decrypted, or None."""

    def new_draft(self, owner: str, progress: Progress) -> Draft:
        """A fresh, unsaved draft (version 0) with a new id."""

    async def save_draft(self, draft: Draft) -> Draft:
        """Encrypt and store; raises Conflict if the stored version moved on."""

    async def delete_draft(self, owner: str) -> bool:
        """Erase the draft, its attachments and its data key (crypto-shredding)."""

    async def add_attachment(self, draft: Draft, data: bytes, kind: str, mime: str) -> str:
        """Store a file encrypted with the draft's key; returns its id."""

    async def read_attachment(self, draft: Draft, attachment_id: str) -> bytes:
        """Decrypt a stored file of this draft."""

    async def remove_attachments(self, draft: Draft, attachment_ids: Sequence[str]) -> int:
        """Delete files of this draft (e.g. after a consent was withdrawn); returns how many."""

    async def submit(
        self, draft: Draft, application: bytes, attachment_ids: Sequence[str], urgent: bool,
        repeat_key: str | None = None,
    ) -> str:
        """Seal the application and files for the secretariat, queue it, shred the draft.

        ``repeat_key`` (normalised name and birth date) is stored only as a keyed hash, so
        the queue can hint at an earlier application of the same person without plain text.
        Returns the reference (e.g. ``LEV-2026-0042``).
        """

    async def add_addendum(
        self, draft: Draft, reference: str, addendum: bytes, attachment_ids: Sequence[str],
    ) -> int:
        """Seal a Nachtrag and its files to the owner's application ``reference``, queue the
        secretariat's notice and shred the draft. Returns the addendum's number (1, 2, …);
        NotFound if ``reference`` is not one of the draft owner's applications, Closed if it
        was withdrawn or decided (nothing is written then).
        """

    async def submissions_of(self, owner: str) -> list[Submission]:
        """The owner's submissions as the queue lists them, oldest first."""


class Store(Protocol):
    """Opens units of work; saves an answer to a draft it knows in a quick one."""

    def unit(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A transaction: commits on clean exit, rolls back on an exception."""

    def known(self, owner: str) -> Draft | None:
        """The owner's draft as this process last saw it committed, if it still has it at
        hand; it may be stale (another replica moved on): ``save_answer`` finds out."""

    async def save_answer(self, draft: Draft, update_id: int, meanwhile: Callable[[], T]
                          ) -> tuple[Draft, T] | None:
        """Claim ``update_id`` and save ``draft`` (a ``known`` draft, changed) together.

        The quick path for an answer: both in one transaction, or neither — None if the
        update was processed before or the stored draft is no longer at ``draft.version``;
        then the caller runs a full unit, which finds out which. ``meanwhile`` (rendering
        the reply) runs while the save is on its way to the disk; what it made comes back
        with the saved draft once that is committed, and is dropped if nothing was saved.
        """


async def claim_and_save(unit: UnitOfWork, draft: Draft, update_id: int) -> Draft:
    """Claim ``update_id`` and save ``draft`` in ``unit`` (``Store.save_answer`` in a unit):
    Conflict if the update was processed before or the stored draft moved on."""
    if not await unit.claim_update(update_id):
        raise Conflict(f"update {update_id} was processed before")
    return await unit.save_draft(draft)
