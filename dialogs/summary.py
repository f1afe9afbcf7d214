"""The answers as readable lines: for the review, and for the person's own copy (/mydata)."""

from __future__ import annotations

import datetime as dt

from dialogs import flow
from dialogs.flow import Step
from dialogs.model import Interview, Kind
from dialogs.progress import Progress
from dialogs.types import N_, Lines, Param, Text, t
from dialogs.values import PREVIEW, show_value


def answer_lines(interview: Interview, p: Progress, today: dt.date, section: int,
                 preview: int = PREVIEW) -> list[tuple[Step, Text]]:
    """Each answerable question of a section, numbered, with its answer (or none yet)."""
    lines = []
    steps = [s for s in flow.steps(interview, p.answers, today)
             if s.section == section and s.question.kind is not Kind.INFO]
    for number, step in enumerate(steps, start=1):
        value = p.answers.get(step.path)
        shown: Param = (show_value(step.question, value, preview=preview) if value is not None
                        else t(N_("(no answer yet)")))
        label: Param = t(step.question.review_label)
        if step.group is not None and step.item is not None:
            label = t(N_("{item}, {label}"), item=t(step.group.item_label, n=step.item + 1),
                      label=label)
        lines.append((step, t(N_("{n}. {label}: {answer}"), n=number, label=label,
                              answer=shown)))
    return lines


def summary(interview: Interview, p: Progress, today: dt.date) -> list[Text]:
    """Every section with all its answers in full: one text per section."""
    texts = []
    for index, section in enumerate(interview.sections):
        lines = [line for _, line in answer_lines(interview, p, today, index, preview=10_000)]
        if lines:
            heading = t(N_("{n}. {title}"), n=index + 1, title=t(section.title))
            texts.append(Text("{heading}\n{lines}", {"heading": heading,
                                                      "lines": Lines(tuple(lines))}))
    return texts
