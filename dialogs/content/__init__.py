"""Leverkusen's hardship application, declared as data: eleven sections like the paper form."""

from __future__ import annotations

import datetime as dt

from dialogs.content.closing import DECLARATION, DOCUMENTS
from dialogs.content.life import ECONOMY, HEALTH, SOCIAL, STORY
from dialogs.content.people import FAMILY, PERSONS, RESIDENCE
from dialogs.content.predicates import deportation_date_set
from dialogs.content.start import ELIGIBILITY, START
from dialogs.model import Answers, Interview
from dialogs.types import PartialDate, Role, Value

INTERVIEW = Interview("hardship-application", 1, (
    START, ELIGIBILITY, PERSONS, FAMILY, RESIDENCE,
    HEALTH, SOCIAL, ECONOMY, STORY, DOCUMENTS, DECLARATION,
))

def is_urgent(values: dict[str, Value], today: dt.date) -> bool:
    """A deportation date is set or known: the secretariat's queue shows these first."""
    answers = Answers(values, today)
    return deportation_date_set(answers) or isinstance(answers.get("deport_date"), PartialDate)


def author(values: dict[str, Value], channel_role: Role) -> Role:
    """Who enters answers: a helper or representative types for the person concerned."""
    if channel_role is Role.APPLICANT and values.get("role") in ("helper", "representative",
                                                                  "group"):
        return Role.SUPPORTER
    return channel_role
