"""A simulated applicant: answers whatever the engine asks, plausibly or at random."""

from __future__ import annotations

import datetime as dt
import random

from dialogs import engine, flow
from dialogs.inputs import Action, Input, Press, Say, Upload
from dialogs.model import Interview, Kind
from dialogs.progress import Progress
from dialogs.screens import screen
from dialogs.types import Attachment, Role

TODAY = dt.date(2026, 11, 25)
TEXTS = {Kind.TEXT: "Amira", Kind.DATE: "03/2016", Kind.NUMBER: "20",
         Kind.PHONE: "0176 1234567", Kind.STORY: "In my own words."}


def valid_input(p: Progress, interview: Interview, rng: random.Random) -> list[Input]:
    """One sensible way to answer the current question (may be several inputs)."""
    step = flow.locate(interview, p.cursor)
    assert step is not None, p.cursor
    q, path = step.question, step.path
    buttons = [b for row in screen(interview, p, TODAY).buttons for b in row
               if b.action not in (Action.BACK, Action.HELP, Action.KEEP)]
    if q.kind is Kind.INFO:
        return [Press(path, Action.NEXT)]
    if q.kind is Kind.CHOICE:
        pick = rng.choice([b for b in buttons if b.action is not Action.PICK or
                           b.value not in q.jump] or buttons)
        return [Press(path, pick.action, pick.value)]
    if q.kind is Kind.MULTI:
        chosen = rng.sample(q.choices, rng.randint(1, len(q.choices)))
        return [*(Press(path, Action.TOGGLE, c.id) for c in chosen), Press(path, Action.DONE)]
    if q.kind is Kind.DOCUMENT:
        action = rng.choice([Action.DONE, Action.LATER, Action.MISSING])
        if action is Action.DONE:
            file = Attachment(f"f{rng.randrange(10**6)}", "photo", 1000, "image/jpeg")
            return [Upload(file), Press(path, Action.DONE)]
        return [Press(path, action)]
    if q.kind is Kind.STORY:
        return [Say(TEXTS[Kind.STORY]), Press(path, Action.DONE)]
    if q.kind is Kind.DATE and not q.month_ok:
        return [Say("14.03.1990")]
    if q.kind is Kind.DATE and q.future_ok:
        return [Say("14.12.2026")]
    return [Say(TEXTS[q.kind])]


def walk(interview: Interview, rng: random.Random, limit: int = 600) -> tuple[Progress, set[str]]:
    """Answer until the review; returns the progress and every question id seen."""
    p = engine.start(interview, "en")
    seen: set[str] = set()
    for _ in range(limit):
        if p.cursor.startswith("@"):
            return p, seen
        step = flow.locate(interview, p.cursor)
        assert step is not None
        seen.add(step.question.id if step.group is None else f"{step.group.id}.{step.question.id}")
        for event in valid_input(p, interview, rng):
            p = engine.handle(interview, p, event, TODAY, Role.APPLICANT).progress
    raise AssertionError(f"no end after {limit} inputs; stuck at {p.cursor}")
