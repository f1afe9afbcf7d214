"""What to show for a progress value: the current question, or the review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dialogs import flow
from dialogs.flow import Step
from dialogs.inputs import Action
from dialogs.model import Answers, Interview, Kind
from dialogs.progress import REVIEW, Progress
from dialogs.summary import answer_lines
from dialogs.types import N_, Lines, Text, t
from dialogs.values import show_value


@dataclass(frozen=True)
class Button:
    label: Text
    action: Action
    path: str
    value: str = ""


@dataclass(frozen=True)
class Screen:
    """One message: a heading, body texts, button rows, and what content it accepts."""

    path: str
    heading: Text | None
    body: tuple[Text, ...]
    buttons: tuple[tuple[Button, ...], ...]
    accepts: frozenset[str] = frozenset()  # "text", "file", "voice"
    referral: tuple[str, ...] = ()
    sensitive: bool = False


def screen(interview: Interview, progress: Progress, today: dt.date) -> Screen:
    """The screen for the current cursor."""
    if progress.cursor == REVIEW:
        return overview(interview, progress, today)
    if progress.cursor.startswith(REVIEW + "/"):
        return section_review(interview, progress, today, progress.cursor.split("/", 1)[1])
    step = flow.locate(interview, progress.cursor)
    if step is None:
        return overview(interview, progress, today)
    return question_screen(interview, progress, step, today)


def heading(interview: Interview, index: int) -> Text:
    section = interview.sections[index]
    if len(interview.sections) == 1:
        return t(section.title)
    return t(N_("Section {n} of {total}: {title}"), n=index + 1,
             total=len(interview.sections), title=t(section.title))


def question_screen(interview: Interview, p: Progress, step: Step, today: dt.date) -> Screen:
    q, path = step.question, step.path
    scope = path[: -len(q.id)] if step.group else ""
    params = dict(q.compute(Answers(p.answers, today, scope))) if q.compute else {}
    body: list[Text] = []
    if step.group is not None and step.item is not None:
        body.append(t(step.group.item_label, n=step.item + 1))
    if q.intro:
        body.append(t(q.intro))
    body.append(Text(q.prompt, params))
    current = p.answers.get(path)
    rows: list[tuple[Button, ...]] = []
    if q.kind is Kind.CHOICE:
        rows += [(Button(t(c.label), Action.PICK, path, c.id),) for c in q.choices]
    elif q.kind is Kind.MULTI:
        chosen = current if isinstance(current, tuple) else ()
        rows += [(Button(_tick(c.label, c.id in chosen), Action.TOGGLE, path, c.id),)
                 for c in q.choices]
        rows.append((Button(t(N_("Done")), Action.DONE, path),))
    elif q.kind is Kind.STORY:
        rows.append((Button(t(N_("Done")), Action.DONE, path),))
    elif q.kind is Kind.DOCUMENT:
        rows.append((Button(t(N_("Done")), Action.DONE, path),))
        rows.append((Button(t(N_("I will bring it later")), Action.LATER, path),
                     Button(t(N_("I do not have it")), Action.MISSING, path)))
    elif q.kind is Kind.INFO:
        rows.append((Button(t(N_("Continue")), Action.NEXT, path),))
    if current is not None and q.kind not in (Kind.MULTI, Kind.INFO):
        body.append(t(N_("Your answer so far: {answer}"), answer=show_value(q, current)))
        if q.kind not in (Kind.STORY, Kind.DOCUMENT):
            rows.append((Button(t(N_("Keep this answer")), Action.KEEP, path),))
    rows += _special_rows(step, bool(p.history or p.return_to))
    return Screen(path, heading(interview, step.section), tuple(body), tuple(rows),
                  _accepts(q.kind), q.referral, q.sensitive)


def _tick(label: str, on: bool) -> Text:
    return t(N_("✅ {label}") if on else N_("⬜ {label}"), label=t(label))


def _special_rows(step: Step, can_go_back: bool) -> list[tuple[Button, ...]]:
    q, path = step.question, step.path
    specials = [Button(t(N_("I don't know")), Action.UNKNOWN, path)] if q.unknown else []
    if q.decline:
        specials.append(Button(t(N_("I prefer not to say")), Action.DECLINE, path))
    if q.optional:
        specials.append(Button(t(N_("Skip")), Action.SKIP, path))
    rows = [tuple(specials)] if specials else []
    last = [Button(t(N_("⬅ Back")), Action.BACK, path)] if can_go_back else []
    if q.help:
        last.append(Button(t(N_("❓ Help")), Action.HELP, path))
    return [*rows, tuple(last)] if last else rows


def _accepts(kind: Kind) -> frozenset[str]:
    if kind is Kind.STORY:
        return frozenset({"text", "voice"})
    if kind is Kind.DOCUMENT:
        return frozenset({"file"})
    if kind in (Kind.TEXT, Kind.DATE, Kind.NUMBER, Kind.PHONE):
        return frozenset({"text"})
    return frozenset()


MISSING_SHOWN = 10


def overview(interview: Interview, p: Progress, today: dt.date) -> Screen:
    """Every section with its state, what is missing, and Submit."""
    gaps = flow.missing(interview, p.answers, today)
    body: list[Text] = [t(N_("Please check your answers. Tap a section to see or change it."))]
    rows: list[tuple[Button, ...]] = []
    unfinished = {g.section for g in gaps}
    for index, section in enumerate(interview.sections):
        mark = N_("⚠️ {n}. {title}") if index in unfinished else N_("✓ {n}. {title}")
        rows.append((Button(t(mark, n=index + 1, title=t(section.title)), Action.SECTION,
                            REVIEW, section.id),))
    if gaps:
        shown = gaps[:MISSING_SHOWN]
        lines = [t(N_("{n}. {label}"), n=n, label=t(g.question.review_label))
                 for n, g in enumerate(shown, start=1)]
        body += [t(N_("Still missing (tap a number to answer it):")),
                 Text("{lines}", {"lines": Lines(tuple(lines))})]
        if len(gaps) > len(shown):
            body.append(t(N_("… and {count} more."), count=len(gaps) - len(shown)))
        edits = [Button(t(N_("✏️ {n}"), n=n), Action.EDIT, REVIEW, g.path)
                 for n, g in enumerate(shown, start=1)]
        rows[:0] = [tuple(edits[i : i + 5]) for i in range(0, len(edits), 5)]
    else:
        body.append(t(N_("Everything is complete. You can send the application now.")))
        rows.append((Button(t(N_("📨 Send the application")), Action.SUBMIT, REVIEW),))
    rows.append((Button(t(N_("⬅ Back")), Action.BACK, REVIEW),))
    return Screen(REVIEW, t(N_("Check and send")), tuple(body), tuple(rows))


def section_review(interview: Interview, p: Progress, today: dt.date, section_id: str) -> Screen:
    """All answers of one section, each with a button to change it."""
    index = next((i for i, s in enumerate(interview.sections) if s.id == section_id), 0)
    cursor = f"{REVIEW}/{interview.sections[index].id}"
    numbered = answer_lines(interview, p, today, index)
    lines = [line for _, line in numbered]
    edits = [Button(t(N_("✏️ {n}"), n=n), Action.EDIT, cursor, step.path)
             for n, (step, _) in enumerate(numbered, start=1)]
    body = [Text("{lines}", {"lines": Lines(tuple(lines))}),
            t(N_("To change an answer, tap its number."))] if lines else [
        t(N_("Nothing to answer in this section."))]
    rows = [tuple(edits[i : i + 5]) for i in range(0, len(edits), 5)]
    rows.append((Button(t(N_("⬅ Back to the overview")), Action.REVIEW, cursor),))
    return Screen(cursor, heading(interview, index), tuple(body), tuple(rows))
