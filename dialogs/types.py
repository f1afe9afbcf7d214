"""The shared vocabulary of the interview: answer values and the texts the engine returns."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Union


def N_(msgid: str) -> str:
    """Mark a message id for extraction; translation happens in the renderer."""
    return msgid


class Special(enum.StrEnum):
    """Answers that stand for the absence of a value."""

    UNKNOWN = "unknown"
    SKIPPED = "skipped"
    DECLINED = "declined"


class Role(enum.StrEnum):
    """Who typed an answer in."""

    APPLICANT = "applicant"
    SUPPORTER = "supporter"
    STAFF = "staff"


@dataclass(frozen=True)
class Consent:
    """A consent given or withdrawn: what, when, to which notice, in which language, by whom."""

    kind: str  # "privacy", "health", "sharing"
    given: bool
    at: str  # ISO 8601 timestamp, UTC
    notice: str  # version of the privacy notice shown
    language: str
    by: Role


@dataclass(frozen=True)
class PartialDate:
    """A calendar date whose day may be unknown (month and year are often enough)."""

    year: int
    month: int
    day: int | None = None

    def __lt__(self, other: PartialDate) -> bool:
        return (self.year, self.month, self.day or 0) < (other.year, other.month, other.day or 0)

    def iso(self) -> str:
        head = f"{self.year:04d}-{self.month:02d}"
        return head if self.day is None else f"{head}-{self.day:02d}"

    @classmethod
    def from_iso(cls, text: str) -> PartialDate:
        parts = [int(p) for p in text.split("-")]
        return cls(parts[0], parts[1], parts[2] if len(parts) > 2 else None)


@dataclass(frozen=True)
class Attachment:
    """A stored file: only its id and metadata travel with the answers."""

    id: str
    kind: str  # "photo" | "pdf" | "voice"
    size: int
    mime: str


class DocStatus(enum.StrEnum):
    UPLOADED = "uploaded"
    LATER = "later"
    MISSING = "missing"


@dataclass(frozen=True)
class Document:
    """A checklist item: its status and the files uploaded for it."""

    status: DocStatus
    files: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class FreeText:
    """The person's own words: several messages and voice notes, with the language they used."""

    parts: tuple[str | Attachment, ...]
    language: str


Value = str | int | PartialDate | Special | tuple[str, ...] | FreeText | Document
"""A stored answer: a choice id or text (str), number, date, special, choice ids, text, document."""

Param = Union[str, int, PartialDate, "Text", "Verbatim", "Join", "Lines"]


@dataclass(frozen=True)
class Verbatim:
    """Text the person wrote: shown as it is, never translated or interpreted."""

    text: str


@dataclass(frozen=True)
class Text:
    """A message id with named parameters; the renderer translates it."""

    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)
    plural: str | None = None
    count: int | None = None


@dataclass(frozen=True)
class Join:
    """Several parameters shown as one list, e.g. the chosen options."""

    parts: tuple[Param, ...]


@dataclass(frozen=True)
class Lines:
    """Several parameters, one per line (a compact list such as the answers of a section)."""

    parts: tuple[Param, ...]


def t(msgid: str, **params: Param) -> Text:
    """Build a translatable text."""
    return Text(msgid, params)


def plural(singular: str, plural_form: str, count: int) -> Text:
    """A text whose form depends on ``count`` (passed as ``{n}``); CLDR rules in the catalogs."""
    return Text(singular, {"n": count}, plural_form, count)
