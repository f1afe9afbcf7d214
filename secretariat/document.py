"""The German summary of an application: labels and choices in German, free text verbatim."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import Locale

from dialogs.codec import decode_value
from dialogs.types import (
    Attachment,
    DocStatus,
    Document,
    FreeText,
    PartialDate,
    Special,
    Value,
)
from locales.catalogs import Catalogs
from locales.render import Renderer

GERMAN = "de"
SPECIAL = {
    Special.UNKNOWN: "weiß nicht",
    Special.SKIPPED: "übersprungen",
    Special.DECLINED: "keine Angabe gewünscht",
}
DOCUMENT = {
    DocStatus.UPLOADED: "hochgeladen",
    DocStatus.LATER: "wird nachgereicht",
    DocStatus.MISSING: "nicht vorhanden",
}
ROLES = {
    "applicant": "betroffene Person",
    "supporter": "Unterstützer/in oder Vertreter/in",
    "staff": "Mitarbeiter/in (zur Niederschrift)",
}


def render_summary(application: dict[str, Any], reference: str = "") -> str:
    """A plain-text German rendering of the whole application, in form order."""
    de = Renderer(Catalogs())
    language = str(application.get("language", ""))
    lines = [
        "Antrag an das Aufenthaltsrechtliche Beratungsgremium",
        "=" * 52,
        f"Aktenzeichen: {reference or '(noch keines)'}",
        f"Ausgefüllt am: {_date(application.get('completed'))}",
        f"Sprache der Angaben: {language_name(language)} ({language})",
        f"Eilfall: {'JA – Abschiebungstermin bekannt' if application.get('urgent') else 'nein'}",
        "Eingegeben von: " + ", ".join(ROLES.get(r, r) for r in application.get("entered_by", [])),
        "",
    ]
    for number, section in enumerate(application.get("sections", []), start=1):
        lines += ["", f"{number}. {de.gettext(section['title'], GERMAN)}", "-" * 40]
        entries = section.get("entries", [])
        if not entries:
            lines.append("(keine Angaben)")
        for entry in entries:
            lines.append(_entry(de, entry, language))
    lines += ["", "Tabellarischer Lebenslauf", "-" * 40]
    for row in application.get("cv", []):
        when = _date(row["from"]) if row["from"] else "—"
        detail = f": {row['detail']}" if row["detail"] else ""
        lines.append(f"{when:<12} {de.gettext(row['what'], GERMAN)}{detail}")
    lines += ["", "Anlagen", "-" * 40]
    for n, meta in enumerate(application.get("attachments", []), start=1):
        lines.append(f"{n}. {meta['kind']} ({meta['mime']}, {meta['size']} Bytes) – {meta['id']}")
    return "\n".join(lines) + "\n"


def language_name(code: str) -> str:
    try:
        return Locale.parse(code).get_display_name(GERMAN) or code
    except (ValueError, TypeError):
        return code or "unbekannt"


def _entry(de: Renderer, entry: dict[str, Any], language: str) -> str:
    label = de.gettext(entry["label"], GERMAN)
    item = entry.get("item")
    if item:
        label = f"{de.gettext(item['label'], GERMAN).format(n=item['n'])} – {label}"
    value = decode_value(entry["value"])
    if "choices" in entry:
        shown = ", ".join(de.gettext(c, GERMAN) for c in entry["choices"]) or "(keine Auswahl)"
    else:
        shown = _value(value, language)
    author = (
        ""
        if entry.get("author") in (None, "applicant")
        else f"  [eingegeben von: {ROLES.get(entry['author'], entry['author'])}]"
    )
    return f"{label}: {shown}{author}"


def _value(value: Value, language: str) -> str:
    match value:
        case Special():
            return SPECIAL[value]
        case PartialDate():
            return _date(value.iso())
        case FreeText():
            words = "\n    ".join(p for p in value.parts if isinstance(p, str))
            voices = [p.id for p in value.parts if isinstance(p, Attachment)]
            name = language_name(value.language)
            head = f"(Originaltext, {name})\n    {words}" if words else f"({name})"
            return head + (
                f"\n    + {len(voices)} Sprachnachricht(en): " + ", ".join(voices) if voices else ""
            )
        case Document():
            files = f", {len(value.files)} Datei(en)" if value.files else ""
            return DOCUMENT[value.status] + files
        case tuple():
            return ", ".join(value)
    return str(value)


def _date(text: object) -> str:
    if not isinstance(text, str) or not text:
        return "—"
    value = PartialDate.from_iso(text)
    if value.day is None:
        return f"{value.month:02d}/{value.year}"
    return dt.date(value.year, value.month, value.day).strftime("%d.%m.%Y")
