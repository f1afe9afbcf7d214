"""The order of questions for a given set of answers: relevance, repeating groups, paths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from dialogs.model import YES_NO, Answers, Group, Interview, Kind, Question, Section
from dialogs.types import Value


@dataclass(frozen=True)
class Step:
    """A question at a place: its path, its section, and its group item if any."""

    path: str
    question: Question
    section: int
    group: Group | None = None
    item: int | None = None



def more_question(group: Group) -> Question:
    """The "another one?" question that closes each item of a group."""
    return Question(id="more", kind=Kind.CHOICE, prompt=group.more_prompt, choices=YES_NO)


def steps(interview: Interview, values: Mapping[str, Value], today: dt.date) -> list[Step]:
    """Every relevant step, in order, for these answers."""
    return list(walk(interview, values, today))


def walk(interview: Interview, values: Mapping[str, Value], today: dt.date,
         first_section: int = 0) -> Iterator[Step]:
    """The relevant steps one by one, in order (stop early when you have what you need),
    from the start of ``first_section`` on: whether a step is relevant depends on the
    answers only, never on the steps before it."""
    top = Answers(values, today)
    for index, section in enumerate(interview.sections[first_section:], start=first_section):
        for item in section.items:
            if isinstance(item, Question):
                if item.when is None or item.when(top):
                    yield Step(item.id, item, index)
            elif item.when is None or item.when(top):
                yield from _items(item, index, values, today)


def _items(
    group: Group, section: int, values: Mapping[str, Value], today: dt.date
) -> Iterator[Step]:
    for n in range(group.max_items):
        scope = f"{group.id}.{n}."
        local = Answers(values, today, scope)
        for q in group.questions:
            if q.when is None or q.when(local):
                yield Step(scope + q.id, q, section, group, n)
        if n + 1 < group.max_items:
            yield Step(scope + "more", more_question(group), section, group, n)
        if values.get(scope + "more") != "yes":
            return


def locate(interview: Interview, path: str) -> Step | None:
    """The step a path names, relevant or not; None for unknown paths (forged or outdated)."""
    head, _, rest = path.partition(".")
    index, item = interview.by_id.get(head, (0, None))
    if isinstance(item, Question) and item.id == path:
        return Step(path, item, index)
    if isinstance(item, Group) and rest:
        return _locate_in_group(item, index, path, rest)
    return None


def _locate_in_group(group: Group, section: int, path: str, rest: str) -> Step | None:
    number, _, qid = rest.partition(".")
    if not number.isdigit() or int(number) >= group.max_items or str(int(number)) != number:
        return None
    if qid == "more":
        return Step(path, more_question(group), section, group, int(number))
    question = group.by_id.get(qid)
    return None if question is None else Step(path, question, section, group, int(number))


def all_questions(interview: Interview) -> Iterator[Question]:
    """Every question of the definition, group questions once each."""
    for section in interview.sections:
        for item in section.items:
            if isinstance(item, Group):
                yield from item.questions
            else:
                yield item


def section_of(interview: Interview, section_id: str) -> Section | None:
    return next((s for s in interview.sections if s.id == section_id), None)


def missing(interview: Interview, values: Mapping[str, Value], today: dt.date) -> list[Step]:
    """Relevant questions still without an answer, in order."""
    return [
        s
        for s in steps(interview, values, today)
        if s.question.kind is not Kind.INFO and s.path not in values
    ]
