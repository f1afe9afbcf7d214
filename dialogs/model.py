"""The building blocks an interview is declared with: frozen data, no behaviour."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from dialogs.types import N_, Param, Value


class Kind(enum.StrEnum):
    """What a question expects."""

    INFO = "info"  # a screen to read; one button to go on
    CHOICE = "choice"  # one of the choices (yes/no/don't know is a choice too)
    MULTI = "multi"  # any of the choices, then "Done"
    TEXT = "text"  # one short line (a name, a place)
    STORY = "story"  # the person's own words: several messages or voice notes, then "Done"
    DATE = "date"
    NUMBER = "number"
    PHONE = "phone"
    DOCUMENT = "document"  # photos or PDFs for a checklist item, or "later" / "not available"


class Answers:
    """A read-only view of the answers, scoped to one item inside a repeating group."""

    def __init__(self, values: Mapping[str, Value], today: dt.date, scope: str = "") -> None:
        self._values = values
        self.today = today
        self._scope = scope

    @property
    def item(self) -> int | None:
        """The index of the group item in scope (0 for the first person), else None."""
        return int(self._scope.split(".")[1]) if self._scope else None

    def get(self, qid: str) -> Value | None:
        if self._scope and f"{self._scope}{qid}" in self._values:
            return self._values[f"{self._scope}{qid}"]
        return self._values.get(qid)

    def chose(self, qid: str, *choices: str) -> bool:
        value = self.get(qid)
        if isinstance(value, tuple):
            return any(c in value for c in choices)
        return isinstance(value, str) and value in choices

    def yes(self, qid: str) -> bool:
        return self.chose(qid, "yes")


Predicate = Callable[[Answers], bool]
Compute = Callable[[Answers], Mapping[str, Param]]


@dataclass(frozen=True)
class Choice:
    id: str
    label: str  # msgid


@dataclass(frozen=True)
class Question:
    """One screen of the interview."""

    id: str
    kind: Kind
    prompt: str  # msgid, may use {placeholders} filled by ``compute``
    label: str = ""  # short msgid for the review and the application; defaults to the prompt
    intro: str | None = None  # msgid shown above the prompt
    help: str | None = None
    choices: tuple[Choice, ...] = ()
    when: Predicate | None = None
    optional: bool = False  # offers "Skip"
    unknown: bool = False  # offers "I don't know"
    decline: bool = False  # offers "I prefer not to say"
    max_length: int = 200
    minimum: int = 0
    maximum: int = 1_000_000
    month_ok: bool = True
    future_ok: bool = False
    compute: Compute | None = None
    jump: Mapping[str, str] = field(default_factory=dict)  # choice id -> question id to go to
    referral: tuple[str, ...] = ()  # profile blocks shown with it: "counselling", "urgent"
    sensitive: bool = False  # health data: GDPR Art. 9
    submit_requires: str | None = None  # the choice needed before the application can be sent
    consent: str | None = None  # answering records this consent ("agree"/"yes" give it)

    @property
    def review_label(self) -> str:
        return self.label or self.prompt

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Group:
    """Questions asked again for each item (each person, each child)."""

    id: str
    item_label: str  # msgid with {n}: "Person {n}"
    more_prompt: str  # msgid: "Does the application cover another person?"
    questions: tuple[Question, ...]
    when: Predicate | None = None
    max_items: int = 12

    @cached_property
    def by_id(self) -> Mapping[str, Question]:
        """The group's questions by id (built once: see ``Interview.by_id``)."""
        return {q.id: q for q in self.questions}


@dataclass(frozen=True)
class Section:
    id: str
    title: str  # msgid
    items: tuple[Question | Group, ...]


@dataclass(frozen=True)
class Interview:
    id: str
    version: int
    sections: tuple[Section, ...]

    @cached_property
    def by_id(self) -> Mapping[str, tuple[int, Question | Group]]:
        """Each question and group of the top level by id, with its section's index: built
        once, for the engine and the screen look a path up on every update (ids are unique:
        see ``checks``)."""
        return {item.id: (index, item) for index, section in enumerate(self.sections)
                for item in section.items}


YES_NO = (Choice("yes", N_("Yes")), Choice("no", N_("No")))
