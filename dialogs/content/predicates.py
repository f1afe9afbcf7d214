"""Small named conditions the interview branches on."""

from __future__ import annotations

from collections.abc import Mapping

from dialogs import parsing
from dialogs.model import Answers, Predicate
from dialogs.types import N_, DocStatus, Document, Param, PartialDate, Text, plural, t


def answered(qid: str, *choices: str) -> Predicate:
    """True when ``qid`` was answered with one of ``choices``."""

    def check(a: Answers) -> bool:
        return a.chose(qid, *choices)

    check.__name__ = f"{qid}_in_{'_'.join(choices)}"
    return check


def any_of(*predicates: Predicate) -> Predicate:
    def check(a: Answers) -> bool:
        return any(p(a) for p in predicates)

    return check


def all_of(*predicates: Predicate) -> Predicate:
    def check(a: Answers) -> bool:
        return all(p(a) for p in predicates)

    return check


def for_someone_else(a: Answers) -> bool:
    return a.chose("role", "helper", "representative", "group")


def represents(a: Answers) -> bool:
    return a.chose("role", "representative", "group")


def not_first_person(a: Answers) -> bool:
    return a.item is not None and a.item > 0


def deportation_date_set(a: Answers) -> bool:
    return a.chose("threat", "date")


def health_consent(a: Answers) -> bool:
    return a.chose("health_consent", "agree")


def has_health_issue(a: Answers) -> bool:
    return health_consent(a) and a.chose("health_issues", "illness", "disability",
                                         "pregnancy", "trauma")


def works(a: Answers) -> bool:
    return a.chose("working", "full", "part", "mini")


def has_pending_procedure(a: Answers) -> bool:
    return a.chose("pending", "asylum", "court", "permit", "work_duldung")


def is_missing(document_id: str) -> Predicate:
    """True when the checklist item was marked "not available"."""

    def check(a: Answers) -> bool:
        value = a.get(document_id)
        return isinstance(value, Document) and value.status is DocStatus.MISSING

    check.__name__ = f"{document_id}_missing"
    return check


def stay_length(a: Answers) -> Mapping[str, Param]:
    """The arrival date and the time since, for the confirmation screen."""
    arrival = a.get("arrival")
    if not isinstance(arrival, PartialDate):
        return {"date": "?", "duration": "?"}
    years, months = parsing.length_of_stay(arrival, a.today)
    return {"date": arrival, "duration": duration(years, months)}


def duration(years: int, months: int) -> Text:
    """"10 years and 8 months", with plural forms left to the catalogs."""
    y = plural("{n} year", "{n} years", years)
    m = plural("{n} month", "{n} months", months)
    if not years:
        return m
    if not months:
        return y
    return t(N_("{years} and {months}"), years=y, months=m)
