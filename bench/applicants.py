"""The synthetic applicants: a realistic draft, and the typed answers that continue it.

Every applicant has answered the first sections (about the service, eligibility) and now
types the personal details of the first person: family name, given names, birth date, …
— ten text answers in a row, each one accepted, saved and answered with the next question.
The expected replies are computed with the same engine and renderer, so the benchmark can
check every reply it gets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from antragslotse.intake import Turn
from dialogs import engine, flow
from dialogs.inputs import Action, Input, Press, Say
from dialogs.model import Interview, Kind
from dialogs.progress import Progress
from dialogs.screens import screen
from dialogs.types import Role, Text

if TYPE_CHECKING:  # seeding runs without aiogram
    from bot.views import View

LANGUAGE = "de"
START = "persons.0.family_name"
TYPED = {Kind.TEXT: "Haddad", Kind.DATE: "14.03.1990", Kind.PHONE: "0176 1234567",
         Kind.NUMBER: "3", Kind.STORY: "Wir leben seit acht Jahren in Leverkusen."}
TYPED_BY_QUESTION = {"given_names": "Amira", "birth_place": "Aleppo", "birth_country": "Syrien",
                     "nationality": "syrisch", "address": "Hauptstraße 1, 51373 Leverkusen",
                     "languages": "Arabisch, Deutsch, Englisch", "file_number": "AZ 32-1234/19"}
PREFERRED = ("agree", "self", "yes", "no")


@dataclass(frozen=True)
class Script:
    """Where every applicant starts, what they type, and the screens they should see."""

    start: Progress
    texts: tuple[str, ...]
    after: tuple[Progress, ...]  # the progress after each text
    notes: tuple[tuple[Text, ...], ...]  # the engine's notes after each text


def _answer(interview: Interview, p: Progress, today: dt.date) -> list[Input]:
    step = flow.locate(interview, p.cursor)
    assert step is not None, p.cursor
    q, path = step.question, step.path
    if q.kind is Kind.INFO:
        return [Press(path, Action.NEXT)]
    if q.kind is Kind.CHOICE:
        ids = [c.id for c in q.choices if c.id not in q.jump]
        pick = next((c for c in PREFERRED if c in ids), ids[0])
        return [Press(path, Action.PICK, pick)]
    if q.kind is Kind.MULTI:
        return [Press(path, Action.TOGGLE, q.choices[0].id), Press(path, Action.DONE)]
    if q.kind is Kind.STORY:
        return [Say(TYPED[Kind.STORY]), Press(path, Action.DONE)]
    if q.kind is Kind.DOCUMENT:
        return [Press(path, Action.LATER)]
    return [Say(TYPED_BY_QUESTION.get(q.id, TYPED[q.kind]))]


def script(interview: Interview, today: dt.date) -> Script:
    """Answer up to START, then record the run of typed answers that follows it."""
    p = engine.start(interview, LANGUAGE)
    for _ in range(200):
        if p.cursor == START:
            break
        for event in _answer(interview, p, today):
            p = engine.handle(interview, p, event, today, Role.APPLICANT).progress
    else:
        raise RuntimeError(f"the interview never reached {START}")
    start = p
    texts: list[str] = []
    after: list[Progress] = []
    notes: list[tuple[Text, ...]] = []
    while True:
        step = flow.locate(interview, p.cursor)
        if step is None or step.question.kind not in (Kind.TEXT, Kind.DATE, Kind.PHONE):
            break
        (event,) = _answer(interview, p, today)
        assert isinstance(event, Say)
        outcome = engine.handle(interview, p, event, today, Role.APPLICANT)
        assert outcome.changed, p.cursor
        p = outcome.progress
        texts.append(event.text)
        after.append(p)
        notes.append(outcome.notes)
    if len(texts) < 5:
        raise RuntimeError(f"only {len(texts)} typed answers follow {START}")
    return Script(start, tuple(texts), tuple(after), tuple(notes))


def owner(user_id: int) -> str:
    """The owner key the bot uses for a Telegram user (bot.people.owner)."""
    return f"tg:{user_id}"


def draft_for(s: Script, user_id: int) -> Progress:
    return replace(s.start, contact=owner(user_id))


def expected_replies(s: Script, interview: Interview, today: dt.date, view: View) -> list[str]:
    """The reply texts an applicant should get, in order (rendered like the bot does)."""
    return [view.turn(Turn(LANGUAGE, notes, screen(interview, p, today))).text
            for p, notes in zip(s.after, s.notes, strict=True)]
