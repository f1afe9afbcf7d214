"""The interview engine: given progress and one input, the new progress and what to say."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

from dialogs import flow, parsing
from dialogs.flow import Step
from dialogs.inputs import Action, Input, Outcome, Press, Upload
from dialogs.model import Answers, Interview, Kind
from dialogs.progress import REVIEW, Progress
from dialogs.scripts import language_of
from dialogs.types import (
    N_,
    Attachment,
    DocStatus,
    Document,
    FreeText,
    PartialDate,
    Role,
    Special,
    Text,
    t,
)

SAVED = t(N_("Saved ✓"))
GIVES_CONSENT = ("agree", "yes")
_SPECIALS = {Action.SKIP: Special.SKIPPED, Action.UNKNOWN: Special.UNKNOWN,
             Action.DECLINE: Special.DECLINED}


def start(interview: Interview, language: str) -> Progress:
    """A new draft at the first question."""
    first = flow.steps(interview, {}, dt.date(2000, 1, 1))[0]
    return Progress(cursor=first.path, language=language)


def handle(
    interview: Interview, progress: Progress, event: Input, today: dt.date, role: Role
) -> Outcome:
    """Apply one input to the progress."""
    if progress.cursor.startswith(REVIEW):
        return _on_review(interview, progress, event, today)
    step = flow.locate(interview, progress.cursor)
    if step is None:  # the interview changed since this draft was saved
        return Outcome(_resume_point(interview, progress, today), changed=True)
    if isinstance(event, Press):
        if event.path != progress.cursor:
            return Outcome(progress, (t(N_("That button belongs to an earlier question.")),))
        return _on_press(interview, progress, step, event, today, role)
    if isinstance(event, Upload):
        return _on_upload(interview, progress, step, event.attachment, today, role)
    return _on_text(interview, progress, step, event.text, today, role)


def _on_press(
    interview: Interview, p: Progress, step: Step, event: Press, today: dt.date, role: Role
) -> Outcome:
    q, action, current = step.question, event.action, p.answers.get(step.path)
    if action is Action.BACK:
        return back(interview, p, today)
    if action is Action.HELP and q.help:
        return Outcome(p, (t(q.help),))
    if action in _SPECIALS and _allows(step, action):
        return _advance(interview, p.with_answer(step.path, _SPECIALS[action], role), step, today)
    if action is Action.KEEP and current is not None:
        return _advance(interview, p, step, today, saved=False)
    if action is Action.NEXT and q.kind is Kind.INFO:
        return _advance(interview, p, step, today, saved=False)
    if action is Action.PICK and q.kind is Kind.CHOICE and q.choice(event.value):
        if event.value in q.jump:
            return Outcome(p.moved(q.jump[event.value]), changed=True)
        outcome = _advance(interview, p.with_answer(step.path, event.value, role), step, today)
        if q.consent is None:
            return outcome
        return replace(outcome, consent=(q.consent, event.value in GIVES_CONSENT))
    if action is Action.TOGGLE and q.kind is Kind.MULTI and q.choice(event.value):
        chosen = current if isinstance(current, tuple) else ()
        new = tuple(c for c in chosen if c != event.value)
        if len(new) == len(chosen):
            new = tuple(c.id for c in q.choices if c.id in chosen or c.id == event.value)
        return Outcome(p.with_answer(step.path, new, role), changed=True)
    if action is Action.DONE:
        return _on_done(interview, p, step, today, role)
    if action in (Action.LATER, Action.MISSING) and q.kind is Kind.DOCUMENT:
        status = DocStatus.LATER if action is Action.LATER else DocStatus.MISSING
        files = current.files if isinstance(current, Document) else ()
        marked = p.with_answer(step.path, Document(status, files), role)
        return _advance(interview, marked, step, today)
    return Outcome(p, (t(N_("That button belongs to an earlier question.")),))


def _on_done(
    interview: Interview, p: Progress, step: Step, today: dt.date, role: Role
) -> Outcome:
    value = p.answers.get(step.path)
    kind = step.question.kind
    if kind is Kind.MULTI and (value or step.question.optional):
        if step.path not in p.answers:
            p = p.with_answer(step.path, (), role)
        return _advance(interview, p, step, today, saved=False)
    if kind is Kind.STORY and isinstance(value, FreeText) and value.parts:
        return _advance(interview, p, step, today, saved=False)
    if kind is Kind.DOCUMENT and isinstance(value, Document) and value.files:
        return _advance(interview, p, step, today, saved=False)
    return Outcome(p, (_nothing_yet(kind),))


def _nothing_yet(kind: Kind) -> Text:
    if kind is Kind.MULTI:
        return t(N_("Please choose at least one answer."))
    if kind is Kind.DOCUMENT:
        return t(N_("Nothing was sent yet. Please send a photo or a PDF, or choose a button."))
    return t(N_("Please write something first, or send a voice message."))


def _on_text(
    interview: Interview, p: Progress, step: Step, text: str, today: dt.date, role: Role
) -> Outcome:
    q = step.question
    try:
        match q.kind:
            case Kind.TEXT:
                value: object = parsing.clean_text(text, q.max_length)
            case Kind.DATE:
                value = parsing.parse_date(text, today, month_ok=q.month_ok, future_ok=q.future_ok)
            case Kind.NUMBER:
                value = parsing.parse_number(text, minimum=q.minimum, maximum=q.maximum)
            case Kind.PHONE:
                value = parsing.parse_phone(text)
            case Kind.STORY:
                part = parsing.clean_text(text, q.max_length)
                return _add_part(p, step, part, role)
            case _:
                return Outcome(p, (_use_buttons(q.kind),))
    except parsing.Invalid as invalid:
        return Outcome(p, (Text(invalid.msgid, invalid.params),))
    assert isinstance(value, (str, int, PartialDate))
    return _advance(interview, p.with_answer(step.path, value, role), step, today)


def _use_buttons(kind: Kind) -> Text:
    if kind is Kind.DOCUMENT:
        return t(N_("Please send a photo or a PDF file here, or choose a button."))
    return t(N_("Please tap one of the buttons below."))


def _add_part(p: Progress, step: Step, part: str | Attachment, role: Role) -> Outcome:
    old = p.answers.get(step.path)
    parts = old.parts if isinstance(old, FreeText) else ()
    if len(parts) >= 50:
        return Outcome(p, (t(N_("This answer is full. Please tap Done.")),))
    words = " ".join(x for x in (*parts, part) if isinstance(x, str))
    value = FreeText((*parts, part), language_of(words, p.language))
    note = t(N_("Saved ✓ You can write more, or tap Done."))
    return Outcome(p.with_answer(step.path, value, role), (note,), changed=True)


def _on_upload(
    interview: Interview, p: Progress, step: Step, file: Attachment, today: dt.date, role: Role
) -> Outcome:
    q = step.question
    if q.kind is Kind.STORY and file.kind == "voice":
        return _add_part(p, step, file, role)
    if q.kind is Kind.DOCUMENT and file.kind in ("photo", "pdf"):
        old = p.answers.get(step.path)
        files = old.files if isinstance(old, Document) else ()
        if len(files) >= 20:
            return Outcome(p, (t(N_("That is enough pages for this item. Please tap Done.")),))
        doc = Document(DocStatus.UPLOADED, (*files, file))
        note = t(N_("Page {n} saved ✓ Send more pages, or tap Done."), n=len(doc.files))
        return Outcome(p.with_answer(step.path, doc, role), (note,), changed=True)
    if q.kind is Kind.DOCUMENT:
        return Outcome(p, (t(N_("Please send a photo or a PDF file here.")),))
    if q.kind is Kind.STORY:
        return Outcome(p, (t(N_("Please write your answer, or send a voice message.")),))
    return Outcome(p, (t(N_("A file does not fit here. Please answer the question.")),))


def _allows(step: Step, action: Action) -> bool:
    q = step.question
    return {Action.SKIP: q.optional, Action.UNKNOWN: q.unknown, Action.DECLINE: q.decline}[action]


def _advance(
    interview: Interview, p: Progress, step: Step, today: dt.date, *, saved: bool = True
) -> Outcome:
    """Move past ``step``: to the next question, or back to the review after an edit."""
    later = flow.walk(interview, p.answers, today, step.section)  # only as far as needed
    if not any(s.path == step.path for s in later):
        later = iter(())  # the step is no longer relevant: nothing comes after it
    notes = (SAVED,) if saved else ()
    if p.return_to is not None:
        same_section = itertools.takewhile(lambda s: s.section == step.section, later)
        follow_up = next((s for s in same_section if s.path not in p.answers
                          and s.question.kind is not Kind.INFO), None)
        if follow_up is not None:
            return Outcome(p.moved(follow_up.path), notes, changed=True)
        back_to = replace(p.moved(p.return_to), return_to=None)
        return Outcome(back_to, notes, changed=True)
    following = next(later, None)
    return Outcome(p.moved(following.path if following else REVIEW), notes, changed=True)


def back(interview: Interview, p: Progress, today: dt.date) -> Outcome:
    """Go to the previous screen that is still relevant; later answers stay."""
    if p.return_to is not None and not p.cursor.startswith(REVIEW):
        return Outcome(replace(p.moved(p.return_to, remember=False), return_to=None), changed=True)
    relevant = {s.path for s in flow.steps(interview, p.answers, today)}
    history = list(p.history)
    while history:
        previous = history.pop()
        if previous in relevant or previous.startswith(REVIEW):
            return Outcome(replace(p, cursor=previous, history=tuple(history)), changed=True)
    return Outcome(p, (t(N_("This is the first question.")),))


def withdraw_health(interview: Interview, p: Progress, role: Role) -> Progress:
    """Health consent withdrawn: every health answer and file goes; the section is skipped."""
    sensitive = {q.id for q in flow.all_questions(interview) if q.sensitive}
    kept = p
    for path in p.answers:
        if path.split(".")[-1] in sensitive:
            kept = kept.without_answer(path)
    return kept.with_answer("health_consent", "skip", role)


def open_review(p: Progress) -> Outcome:
    """Jump to the review from anywhere; Back returns to where the person was."""
    if p.cursor == REVIEW:
        return Outcome(p)
    return Outcome(replace(p.moved(REVIEW), return_to=None), changed=True)


def _resume_point(interview: Interview, p: Progress, today: dt.date) -> Progress:
    gaps = flow.missing(interview, p.answers, today)
    return replace(p, cursor=gaps[0].path if gaps else REVIEW, return_to=None)


def _on_review(interview: Interview, p: Progress, event: object, today: dt.date) -> Outcome:
    if not isinstance(event, Press):
        return Outcome(p, (t(N_("Please use the buttons to check or change your answers.")),))
    if event.path != p.cursor and event.action is not Action.REVIEW:
        return Outcome(p, (t(N_("That button belongs to an earlier question.")),))
    if event.action is Action.EDIT and flow.locate(interview, event.value) is not None:
        edit = replace(p.moved(event.value), return_to=p.cursor)
        return Outcome(edit, changed=True)
    if event.action is Action.SECTION and flow.section_of(interview, event.value):
        return Outcome(p.moved(f"{REVIEW}/{event.value}"), changed=True)
    if event.action is Action.REVIEW:
        return Outcome(p.moved(REVIEW), changed=True)
    if event.action is Action.BACK:
        return back(interview, p, today)
    if event.action is Action.SUBMIT and p.cursor == REVIEW:
        if flow.missing(interview, p.answers, today) or not ready(interview, p, today):
            return Outcome(p, (t(N_("Some answers are still missing. Please see the list.")),))
        return Outcome(p, submit=True)
    return Outcome(p, (t(N_("That button belongs to an earlier question.")),))


def ready(interview: Interview, p: Progress, today: dt.date) -> bool:
    """Whether every declaration that submitting needs was given."""
    answers = Answers(p.answers, today)
    return all(
        answers.chose(s.path, s.question.submit_requires)
        for s in flow.steps(interview, p.answers, today)
        if s.question.submit_requires
    )
