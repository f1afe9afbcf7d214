"""The application as a German PDF for the secretariat (``antrag.pdf`` in an export).

A cover part — reference, dates, who filled in, language, urgency, every section's answers,
the tabular CV and the list of attachments — followed by the attachments themselves (see
secretariat/enclosures.py). Labels and choices are German; what the person wrote is printed
verbatim, with its language named, in any script the bot offers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from fpdf.image_parsing import preload_image

from secretariat.enclosures import Enclosure, enclosures, merge
from secretariat.german import (
    KINDS,
    Answer,
    German,
    date,
    is_rtl,
    language_name,
    roles,
    title,
)
from secretariat.sheet import GREY, Sheet
from secretariat.sheet import is_rtl as starts_rtl

URGENT = (178, 24, 24)
HINT = (176, 96, 0)
LABEL, VALUE = 36, 64  # column shares of a section's table
LONG = 600  # characters: longer answers are printed across the page, not in a table cell
_WHO = ("role", "helper_name", "helper_org", "affected_consent")  # question ids, section 1


def render_pdf(
    application: dict[str, Any],
    reference: str = "",
    files: Sequence[tuple[str, str, bytes]] = (),
    *,
    received: dt.datetime | None = None,
    repeat_hint: str | None = None,
    addenda: Sequence[dt.datetime] = (),
) -> bytes:
    """The PDF; ``files`` are the exported attachments (id, file name, content) in order.

    ``application`` may be a Nachtrag (it names the reference it adds to); ``addenda`` are
    the arrival times of an application's Nachträge, listed on its cover.
    """
    de = German()
    attached = enclosures(application, files, de)
    sheet = Sheet(reference)
    sheet.set_title(f"{title(application)} {reference}".strip())
    sheet.set_creator("Antragslotse")
    sheet.add_page()
    sheet.start_section("Nachtrag" if application.get("addendum_to") else "Antrag")
    _cover(sheet, de, application, reference, received, repeat_hint, attached)
    if addenda:
        _addenda(sheet, addenda)
    by_id = {e.id: e for e in attached}
    for number, section in enumerate(application.get("sections", []), start=1):
        sheet.heading(f"{number}. {de.gettext(section['title'])}")
        _answers(sheet, [de.answer(e) for e in section.get("entries", [])], by_id)
    if not application.get("addendum_to"):
        _curriculum(sheet, de, application.get("cv", []))
    _attachment_list(sheet, attached)
    for enclosure in attached:
        if enclosure.photo is not None:
            _photo_page(sheet, enclosure)
    return merge(bytes(sheet.output()), attached)


def _cover(
    sheet: Sheet,
    de: German,
    application: dict[str, Any],
    reference: str,
    received: dt.datetime | None,
    repeat_hint: str | None,
    attached: list[Enclosure],
) -> None:
    sheet.paragraph(title(application), size=16, style="B")
    sheet.ln(3)
    if application.get("urgent"):
        sheet.banner("EILFALL: Abschiebungstermin bekannt oder nahe. Bitte vorrangig prüfen.",
                     URGENT)
    if repeat_hint:
        sheet.banner(f"Möglicher Wiederholungsfall: {repeat_hint}", HINT)
    language = str(application.get("language", ""))
    if received is not None and received.tzinfo is not None:
        received = received.astimezone()  # the secretariat's local time
    kinds = Counter(KINDS.get(e.kind, "nicht lesbar") for e in attached)
    facts = [
        ("Aktenzeichen", reference or "(noch keines)"),
        ("Eingegangen am", received.strftime("%d.%m.%Y, %H:%M Uhr") if received else "—"),
        ("Ausgefüllt am", date(application.get("completed"))),
        *_filled_in_by(de, application),
        ("Eingegeben von", roles(application.get("entered_by", []))),
        ("Sprache der Angaben", f"{language_name(language)} ({language})"),
        ("Eilfall", "JA" if application.get("urgent") else "nein"),
        *_recorded(application.get("recorded")),
        ("Anlagen", f"{len(attached)}" + (
            f" ({', '.join(f'{n} × {kind}' for kind, n in kinds.items())})" if attached else ""
        )),
    ]
    with sheet.rows((LABEL, VALUE)) as table:
        for label, value in facts:
            sheet.add_row(table, (label, value), label=True)


def _addenda(sheet: Sheet, arrived: Sequence[dt.datetime]) -> None:
    """The Nachträge that came after the application: each is exported beside it."""
    sheet.heading("Nachträge")
    with sheet.rows((LABEL, VALUE)) as table:
        for number, at in enumerate(arrived, start=1):
            local = at.astimezone() if at.tzinfo is not None else at
            sheet.add_row(table, (f"Nachtrag {number}", f"eingegangen am "
                                  f"{local.strftime('%d.%m.%Y, %H:%M Uhr')} – siehe "
                                  f"nachtrag-{number}/"), label=True)


def _recorded(recorded: object) -> list[tuple[str, str]]:
    """Zur Niederschrift: who recorded it, with which interpreter, read back or not."""
    if not isinstance(recorded, dict):
        return []
    read_back = "vorgelesen und bestätigt" if recorded.get("read_back") == "yes" else "nein"
    return [("Zur Niederschrift aufgenommen",
             f"von {recorded.get('staff', '?')} am {date(recorded.get('date'))}"),
            ("Dolmetscher/in", str(recorded.get("interpreter") or "—")),
            ("Vorgelesen", read_back)]


def _filled_in_by(de: German, application: dict[str, Any]) -> list[tuple[str, str]]:
    """Who filled in, in what role, and the affected person's consent, from section 1."""
    found = {
        entry.get("path"): de.answer(entry)
        for section in application.get("sections", [])
        for entry in section.get("entries", [])
        if entry.get("path") in _WHO
    }
    return [(found[path].label, found[path].text) for path in _WHO if path in found]


def _answers(sheet: Sheet, answers: list[Answer], files: dict[str, Enclosure]) -> None:
    """A table of answers; free text (and anything long) across the page in between."""
    if not answers:
        sheet.paragraph("(keine Angaben)", color=GREY)
        return
    pending: list[Answer] = []
    for answer in [*answers, None]:
        if answer is not None and not answer.verbatim and len(answer.text) < LONG:
            pending.append(answer)
            continue
        if pending:
            _table(sheet, pending, files)
            pending = []
        if answer is not None:
            _block(sheet, answer, files)


def _table(sheet: Sheet, answers: list[Answer], files: dict[str, Enclosure]) -> None:
    item = ""
    with sheet.rows((LABEL, VALUE)) as table:
        for answer in answers:
            if answer.item and answer.item != item:
                sheet.add_span(table, answer.item)
            item = answer.item
            lines = [answer.text, *_files(answer, files)]
            if answer.author:
                lines.append(f"(eingegeben von: {answer.author})")
            sheet.add_row(table, (answer.label, "\n".join(lines)), label=True)


def _block(sheet: Sheet, answer: Answer, files: dict[str, Enclosure]) -> None:
    """Someone's own words: the question, the language, the text as written."""
    if sheet.will_page_break(22):
        sheet.add_page()
    label = f"{answer.item} – {answer.label}" if answer.item else answer.label
    sheet.paragraph(label, style="B")
    note = ""
    if answer.verbatim:
        note = f"(Originaltext, {language_name(answer.language)})" if answer.text else (
            "(nur als Sprachnachricht)"
        )
    if answer.author:
        note += f" (eingegeben von: {answer.author})"
    if note:
        sheet.paragraph(note.strip(), size=8.5, color=GREY)
    if answer.text:
        rtl = is_rtl(answer.language) if answer.verbatim else starts_rtl(answer.text)
        # Naskh's letters are small beside Noto Sans at the same size.
        sheet.paragraph(answer.text, rtl=rtl, indent=4, size=11.5 if rtl else 10)
    for line in _files(answer, files):
        sheet.paragraph(line, size=9, color=GREY, indent=4)
    sheet.ln(2)


def _files(answer: Answer, files: dict[str, Enclosure]) -> list[str]:
    """Where an answer's files are: "Anlage 2: attachments/2-….jpg"."""
    found = [files.get(aid) for aid in answer.files]
    lines = [
        f"Anlage {e.number}: {e.name}" + (f" ({e.note})" if e.kind == "voice" else "")
        for e in found
        if e is not None
    ]
    missing = len(found) - len(lines)
    return lines + ([f"{missing} Datei(en) nicht im Export"] if missing else [])


def _curriculum(sheet: Sheet, de: German, rows: list[dict[str, Any]]) -> None:
    sheet.heading("Tabellarischer Lebenslauf")
    if not rows:
        sheet.paragraph("(keine Angaben)", color=GREY)
        return
    with sheet.rows((16, 34, 50), headings=("Seit", "Station", "Angaben")) as table:
        for row in rows:
            sheet.add_row(table, de.cv_row(row))


def _attachment_list(sheet: Sheet, attached: list[Enclosure]) -> None:
    sheet.heading("Anlagen")
    if not attached:
        sheet.paragraph("(keine)", color=GREY)
        return
    with sheet.rows((8, 30, 32, 30), headings=("Nr.", "Gehört zu", "Datei", "Im PDF")) as table:
        for e in attached:
            sheet.add_row(table, (str(e.number), e.purpose or "—", e.name, e.note))
    sheet.paragraph(
        "Alle Anlagen liegen außerdem als Originaldateien im Exportordner.", size=8.5, color=GREY
    )


def _photo_page(sheet: Sheet, enclosure: Enclosure) -> None:
    """A page of its own: the caption, then the picture as large as the page allows."""
    sheet.add_page(orientation="L" if enclosure.landscape else "P")
    sheet.start_section(enclosure.title)
    sheet.paragraph(enclosure.title, size=11, style="B")
    sheet.paragraph(enclosure.name, size=8.5, color=GREY)
    x, y, w = sheet.l_margin, sheet.get_y() + 2, sheet.epw
    h = sheet.h - sheet.b_margin - y
    centre = (x + w / 2, y + h / 2)
    if enclosure.turn % 180:  # stored on its side: fitted into the box on its side, then turned
        x, y, w, h = centre[0] - h / 2, centre[1] - w / 2, h, w
    turned = sheet.rotation(enclosure.turn, *centre) if enclosure.turn else nullcontext()
    try:
        if enclosure.turn:  # read it first: fpdf2 leaves the turn open if image() fails inside
            preload_image(sheet.image_cache, enclosure.photo)
        with turned:
            sheet.image(enclosure.photo, x=x, y=y, w=w, h=h, keep_aspect_ratio=True)
    except Exception:  # Pillow read the header, fpdf2 may still fail on an odd file
        sheet.paragraph("Das Bild lässt sich nicht einbetten; die Originaldatei liegt bei.",
                        color=GREY)
