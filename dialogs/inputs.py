"""What a person can do at a question, and what one input comes to: the engine's vocabulary."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dialogs.progress import Progress
from dialogs.types import Attachment, Text


class Action(enum.StrEnum):
    """What a button does; buttons carry these ids, never their labels."""

    PICK = "pick"
    TOGGLE = "toggle"
    DONE = "done"
    NEXT = "next"
    BACK = "back"
    SKIP = "skip"
    UNKNOWN = "unknown"
    DECLINE = "decline"
    KEEP = "keep"
    HELP = "help"
    LATER = "later"
    MISSING = "missing"
    EDIT = "edit"
    REVIEW = "review"
    SECTION = "section"
    SUBMIT = "submit"


@dataclass(frozen=True)
class Say:
    """A typed message."""

    text: str


@dataclass(frozen=True)
class Press:
    """A button: the screen it belongs to, the action, and a choice or target."""

    path: str
    action: Action
    value: str = ""


@dataclass(frozen=True)
class Upload:
    """A stored photo, PDF or voice note."""

    attachment: Attachment


Input = Say | Press | Upload


@dataclass(frozen=True)
class Outcome:
    """The result of one input: save ``progress`` if ``changed``, then show ``notes``."""

    progress: Progress
    notes: tuple[Text, ...] = ()
    changed: bool = False
    submit: bool = False
    consent: tuple[str, bool] | None = None  # (kind, given): the channel records it, stamped
