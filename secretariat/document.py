"""The German summary of an application as plain text: labels and choices in German, free text
verbatim. The wording is shared with the PDF (secretariat/german.py)."""

from __future__ import annotations

from typing import Any

from secretariat.german import Answer, German, date, language_name, roles, title


def render_summary(application: dict[str, Any], reference: str = "") -> str:
    """A plain-text German rendering of the whole application, in form order."""
    de = German()
    language = str(application.get("language", ""))
    heading = title(application)
    lines = [
        heading,
        "=" * len(heading),
        f"Aktenzeichen: {reference or '(noch keines)'}",
        f"Ausgefüllt am: {date(application.get('completed'))}",
        f"Sprache der Angaben: {language_name(language)} ({language})",
        f"Eilfall: {'JA – Abschiebungstermin bekannt' if application.get('urgent') else 'nein'}",
        "Eingegeben von: " + roles(application.get("entered_by", [])),
        "",
    ]
    for number, section in enumerate(application.get("sections", []), start=1):
        lines += ["", f"{number}. {de.gettext(section['title'])}", "-" * 40]
        entries = section.get("entries", [])
        if not entries:
            lines.append("(keine Angaben)")
        lines += [_line(de.answer(entry)) for entry in entries]
    if not application.get("addendum_to"):  # a Nachtrag has no CV of its own
        lines += ["", "Tabellarischer Lebenslauf", "-" * 40]
        for row in application.get("cv", []):
            when, what, detail = de.cv_row(row)
            lines.append(f"{when:<12} {what}{': ' + detail if detail else ''}")
    lines += ["", "Anlagen", "-" * 40]
    for n, meta in enumerate(application.get("attachments", []), start=1):
        lines.append(f"{n}. {meta['kind']} ({meta['mime']}, {meta['size']} Bytes) – {meta['id']}")
    return "\n".join(lines) + "\n"


def _line(answer: Answer) -> str:
    label = f"{answer.item} – {answer.label}" if answer.item else answer.label
    author = f"  [eingegeben von: {answer.author}]" if answer.author else ""
    return f"{label}: {_shown(answer)}{author}"


def _shown(answer: Answer) -> str:
    if answer.verbatim:
        name = language_name(answer.language)
        words = answer.text.replace("\n", "\n    ")
        head = f"(Originaltext, {name})\n    {words}" if words else f"({name})"
        voices = answer.files
        return head + (
            f"\n    + {len(voices)} Sprachnachricht(en): " + ", ".join(voices) if voices else ""
        )
    if answer.document and answer.files:
        return f"{answer.text}, {len(answer.files)} Datei(en)"
    return answer.text
