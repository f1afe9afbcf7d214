"""One typed value for where a person is in the interview."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from dialogs.types import Consent, Role, Value

REVIEW = "@review"
"""The cursor on the review overview; ``@review/<section>`` shows one section."""
SUBMITTED = "@submitted"


@dataclass(frozen=True)
class Progress:
    """Cursor, answers (by path), history for Back, and who entered what.

    Paths are question ids, or ``group.index.question`` inside a repeating group.
    Answers of questions that became irrelevant are kept, so going back loses nothing.
    """

    cursor: str
    answers: Mapping[str, Value] = field(default_factory=dict)
    history: tuple[str, ...] = ()
    return_to: str | None = None
    language: str = "de"
    authors: Mapping[str, Role] = field(default_factory=dict)
    consents: tuple[Consent, ...] = ()
    contact: str | None = None  # how to reach the person (e.g. "tg:<id>"): reminders, deletion
    first_message: int | None = None  # the chat's first message of this draft, for /delete
    addendum_to: str | None = None  # a Nachtrag: the reference of the application it adds to

    def with_answer(self, path: str, value: Value, role: Role) -> Progress:
        return replace(
            self,
            answers={**self.answers, path: value},
            authors={**self.authors, path: role},
        )

    def without_answer(self, path: str) -> Progress:
        answers = {k: v for k, v in self.answers.items() if k != path}
        authors = {k: v for k, v in self.authors.items() if k != path}
        return replace(self, answers=answers, authors=authors)

    def moved(self, cursor: str, *, remember: bool = True) -> Progress:
        keep = remember and cursor != self.cursor
        history = (*self.history, self.cursor) if keep else self.history
        return replace(self, cursor=cursor, history=history[-200:])
