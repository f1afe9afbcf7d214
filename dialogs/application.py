"""The structured application handed to the secretariat: answers with their message ids."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from dialogs import flow
from dialogs.codec import encode_value
from dialogs.content import is_urgent
from dialogs.model import Interview, Kind
from dialogs.progress import Progress
from dialogs.types import N_, Attachment, Document, FreeText, PartialDate, Role, Special, Value

FORMAT = 1


def application(interview: Interview, progress: Progress, today: dt.date) -> dict[str, Any]:
    """Every relevant answer, labelled by msgid so the secretariat can render it in German."""
    sections: list[dict[str, Any]] = [
        {"id": s.id, "title": s.title, "entries": []} for s in interview.sections
    ]
    for step in flow.steps(interview, progress.answers, today):
        value = progress.answers.get(step.path)
        if step.question.kind is Kind.INFO or value is None or step.path.endswith(".more"):
            continue  # screens and "another person?" only steer the interview
        sections[step.section]["entries"].append(_entry(step, value, progress))
    return {
        "format": FORMAT,
        "interview": {"id": interview.id, "version": interview.version},
        "language": progress.language,
        "completed": today.isoformat(),
        "urgent": is_urgent(dict(progress.answers), today),
        "entered_by": sorted({r.value for r in progress.authors.values()} or {Role.APPLICANT}),
        "sections": sections,
        "cv": curriculum(progress, today),
        "consents": [
            {"kind": c.kind, "given": c.given, "at": c.at, "notice": c.notice,
             "language": c.language, "by": c.by.value} for c in progress.consents
        ],
        "attachments": [_attachment(a) for a in attachments(progress)],
    }


def _entry(step: flow.Step, value: Value, progress: Progress) -> dict[str, Any]:
    q = step.question
    entry: dict[str, Any] = {
        "path": step.path,
        "label": q.review_label,
        "kind": q.kind.value,
        "value": encode_value(value),
        "author": progress.authors.get(step.path, Role.APPLICANT).value,
    }
    if step.group is not None and step.item is not None:
        entry["item"] = {"label": step.group.item_label, "n": step.item + 1}
    if isinstance(value, str) and q.choice(value):
        entry["choices"] = [q.choice(value).label]  # type: ignore[union-attr]
    if isinstance(value, tuple):
        entry["choices"] = [c.label for c in q.choices if c.id in value]
    return entry


def attachments(progress: Progress) -> list[Attachment]:
    """Every stored file the answers refer to, in answer order, once each."""
    found: dict[str, Attachment] = {}
    for value in progress.answers.values():
        if isinstance(value, Document):
            found.update((a.id, a) for a in value.files)
        elif isinstance(value, FreeText):
            found.update((p.id, p) for p in value.parts if isinstance(p, Attachment))
    return list(found.values())


def _attachment(a: Attachment) -> dict[str, Any]:
    return {"id": a.id, "kind": a.kind, "mime": a.mime, "size": a.size}


def curriculum(progress: Progress, today: dt.date) -> list[dict[str, Any]]:
    """The tabular CV the state commission asks for, built from (and edited through) answers."""
    dated: list[tuple[PartialDate, str, str]] = []
    for path, (what, detail_path) in _CV_DATES.items():
        value = progress.answers.get(path)
        if isinstance(value, PartialDate):
            detail = progress.answers.get(detail_path) if detail_path else None
            written = isinstance(detail, str) and not isinstance(detail, Special)
            dated.append((value, what, str(detail) if written else ""))
    dated.sort(key=lambda r: r[0])
    rows = [{"from": d.iso(), "what": w, "detail": x} for d, w, x in dated]
    for path, what in _CV_TEXTS.items():
        value = progress.answers.get(path)
        lines = _lines(value)
        rows += [{"from": "", "what": what, "detail": line} for line in lines]
    return rows


def _lines(value: Value | None) -> list[str]:
    if isinstance(value, Special):  # skipped or unknown: no CV line
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, FreeText):
        text = "\n".join(p for p in value.parts if isinstance(p, str))
        return [line.strip() for line in text.splitlines() if line.strip()]
    return []


_CV_DATES = {
    "persons.0.birth_date": (N_("Born"), "persons.0.birth_place"),
    "arrival": (N_("Arrival in Germany"), ""),
    "lev_since": (N_("Moved to Leverkusen"), ""),
    "work_since": (N_("Started work"), "employer"),
}
_CV_TEXTS = {
    "before": N_("Before Germany"),
    "education_details": N_("School, training, studies"),
}


def repeat_key(progress: Progress) -> str | None:
    """Name and birth date of person 1, normalised: the same person, however they typed it.

    Accents, case, punctuation and the order of names do not matter. Without a name or a
    full birth date there is no key. Storage keeps only a keyed hash of it.
    """
    names = [progress.answers.get(f"persons.0.{q}") for q in ("family_name", "given_names")]
    born = progress.answers.get("persons.0.birth_date")
    if not all(isinstance(n, str) and not isinstance(n, Special) for n in names) or not isinstance(
            born, PartialDate):
        return None
    if born.day is None:
        return None
    folded = unicodedata.normalize("NFKD", " ".join(str(n) for n in names)).casefold()
    letters = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    return " ".join(sorted(letters.split())) + "|" + born.iso()
