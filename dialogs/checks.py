"""Start-up checks of an interview definition: refuse to run a broken form."""

from __future__ import annotations

from collections.abc import Iterator

from dialogs.flow import more_question
from dialogs.model import Group, Interview, Kind, Question
from dialogs.progress import REVIEW

MAX_PATH = 40  # callback data is 64 bytes; the path shares it with an action and a value


class DefinitionError(Exception):
    """The interview definition is inconsistent."""


def check(interview: Interview) -> None:
    """Raise DefinitionError listing every problem found."""
    problems = list(_problems(interview))
    if problems:
        raise DefinitionError("; ".join(problems))


def _problems(interview: Interview) -> Iterator[str]:
    top: set[str] = set()
    sections: set[str] = set()
    for section in interview.sections:
        if section.id in sections or not section.title:
            yield f"section {section.id!r}: duplicate id or no title"
        sections.add(section.id)
        for item in section.items:
            if item.id in top:
                yield f"duplicate id {item.id!r}"
            top.add(item.id)
            if isinstance(item, Group):
                yield from _group_problems(item)
    for q in _questions(interview):
        yield from _question_problems(q, top)


def _group_problems(group: Group) -> Iterator[str]:
    ids = [q.id for q in group.questions]
    if len(ids) != len(set(ids)) or "more" in ids:
        yield f"group {group.id!r}: duplicate question ids"
    if not group.questions or not group.item_label or not group.more_prompt:
        yield f"group {group.id!r}: needs questions, an item label and a more prompt"
    longest = max((len(i) for i in ids), default=0)
    if len(f"{group.id}.{group.max_items - 1}.") + longest > MAX_PATH:
        yield f"group {group.id!r}: paths too long for callback data"


def _questions(interview: Interview) -> Iterator[Question]:
    for section in interview.sections:
        for item in section.items:
            if isinstance(item, Group):
                yield from item.questions
                yield more_question(item)
            else:
                yield item


def _question_problems(q: Question, top: set[str]) -> Iterator[str]:
    if not q.prompt:
        yield f"{q.id}: no prompt"
    if len(q.id) > MAX_PATH or not q.id.replace("_", "").isalnum():
        yield f"{q.id}: id must be short letters, digits and underscores"
    wants_choices = q.kind in (Kind.CHOICE, Kind.MULTI)
    if wants_choices != bool(q.choices):
        yield f"{q.id}: choices must be given exactly for choice questions"
    choice_ids = [c.id for c in q.choices]
    if len(choice_ids) != len(set(choice_ids)) or any(not c.label for c in q.choices):
        yield f"{q.id}: choice ids must be unique and every choice needs a text"
    for choice, target in q.jump.items():
        if choice not in choice_ids:
            yield f"{q.id}: jump from unknown choice {choice!r}"
        if target not in top and target != REVIEW:
            yield f"{q.id}: jump to unknown target {target!r}"
    if q.submit_requires is not None and q.submit_requires not in choice_ids:
        yield f"{q.id}: submit_requires names no choice"
    if q.kind is Kind.INFO and (q.optional or q.unknown or q.decline):
        yield f"{q.id}: an info screen has nothing to skip"
