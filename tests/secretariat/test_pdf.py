"""The secretariat's PDF: German labels, every offered script with real glyphs, nothing read as
markup, attachments as pages.

What text extraction (pypdf) can verify: Latin, Cyrillic and Ethiopic come back as written.
Right-to-left text comes back word by word in logical order, but with the words in visual
order (right to left, as drawn): the test compares against the words reversed, which shows
both that the shaped glyphs map back to the right letters and that the line runs right to left.
That the letters are joined is checked by eye (see the report of the change), not here.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream

from dialogs.application import application
from dialogs.content import INTERVIEW
from dialogs.progress import Progress
from dialogs.types import Attachment, DocStatus, Document, FreeText, PartialDate
from locales.catalogs import LOCALES_DIR
from secretariat import fonts
from secretariat.enclosures import Enclosure
from secretariat.pdf import _photo_page, render_pdf
from secretariat.sheet import Sheet

TODAY = dt.date(2026, 11, 25)
REFERENCE = "LEV-2026-0042"
STORIES = {  # question → (language, the person's words), in form order
    "relatives": ("de", "Straße"),
    "before": ("ps", "زه په لیورکوزن کې اوسېږم"),
    "community": ("ti", "ኣብ ሌቨርኩዘን እነብር"),
    "ties": ("tr", "Çocuğum okula gidiyor"),
    "story_week": ("ar", "لدي ابن في المدرسة"),
    "story_leaving": ("fa", "می‌خواهم"),
    "story_home": ("ckb", "من لە لێڤەرکوزن دەژیم"),
    "story_more": ("ru", "Я живу в Леверкузене"),
}
MARKUP = {  # question → what someone typed that must print literally
    "persons.0.family_name": "<b>x</b>",
    "persons.0.given_names": "#set",
    "persons.0.birth_place": "{{7*7}}",
    "persons.0.birth_country": '=HYPERLINK("x")',
    "persons.0.nationality": "**fett** {nb}",
}
BASICS: dict[str, Any] = {
    "privacy": "agree", "role": "self", "lives_lev": "yes", "threat": ("duldung",),
    "heard_before": "no", "petition": "no", "hardship_commission": "no", "convicted": "no",
    "pending": ("none",), "persons.0.birth_date": PartialDate(1990, 3, 14),
    "persons.0.address": "Marker-Straße 12, 51373 Leverkusen", "persons.0.more": "no",
    "partner": "no", "children": "no", "arrival": PartialDate(2015, 4), "stay": "correct",
    "lev_since": PartialDate(2017, 5), "asylum": "rejected", "court_case": "no",
    "paper": "duldung", "paper_until": PartialDate(2027, 1, 31), "passport": "yes",
    "health_consent": "skip", "german": "b1", "german_certificate": "yes",
    "education": ("course",), "education_details": "Deutschkurs B1",
    "working": "part", "employer": "Bäckerei Öztürk", "work_since": PartialDate(2022, 9),
    "hours": 25, "income": 1150, "offer": "no", "benefits": ("kindergeld",),
    "living_costs": "mixed", "declare_true": "yes", "declare_share": "yes",
}
RTL_LANGUAGES = {"ar", "fa", "ps", "ckb"}
NAMES = {"ar": "Arabisch", "fa": "Persisch", "ps": "Paschtu", "ckb": "Zentralkurdisch",
         "ru": "Russisch", "ti": "Tigrinya", "tr": "Türkisch", "de": "Deutsch"}


def make_application(answers: dict[str, Any], language: str = "ar") -> dict[str, Any]:
    """Through the bot's own code, so the test follows the sealed format."""
    return application(INTERVIEW, Progress("done", answers=answers, language=language), TODAY)


def stories() -> dict[str, Any]:
    return {path: FreeText((words,), lang) for path, (lang, words) in STORIES.items()}


def extract(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def as_drawn(words: str) -> str:
    """Right-to-left text as extraction returns it: words (and ZWNJ parts) in visual order."""
    return "".join(reversed(re.split(r"(\s+|\u200c)", words)))


def test_every_script_prints_in_order_and_nothing_is_markup(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        pdf = render_pdf(make_application({**BASICS, **MARKUP, **stories()}), REFERENCE)
    assert not caplog.records  # fpdf2 logs every missing glyph: there were none
    text = extract(pdf)
    expected = [REFERENCE, "Arabisch (ar)", "1. Über Sie und dieses Formular"]
    expected += ["Familienname", "<b>x</b>", "Vornamen", "#set", "Geburtsort", "{{7*7}}"]
    expected += ["Geburtsland", '=HYPERLINK("x")', "Staatsangehörigkeit", "**fett** {nb}"]
    for language, words in STORIES.values():
        shown = as_drawn(words) if language in RTL_LANGUAGES else words
        expected += [f"(Originaltext, {NAMES[language]})", shown]
    expected += ["11. Prüfen und senden", "Ja, das stimmt", "Tabellarischer Lebenslauf"]
    assert in_order(text, expected) == expected


def in_order(text: str, pieces: list[str]) -> list[str]:
    """The pieces found one after another in the text (stops at the first one missing)."""
    found, at = [], 0
    for piece in pieces:
        at = text.find(piece, at)
        if at < 0:
            break
        found.append(piece)
        at += len(piece)
    return found


def test_labels_and_choices_are_german() -> None:
    text = extract(render_pdf(make_application(BASICS, language="de")))
    for german in ("Wohnt in Leverkusen", "Ich habe eine Duldung", "Geburtsdatum", "14.03.1990",
                   "B1: Alltag", "Teils ich, teils der Staat", "Eingegeben von",
                   "betroffene Person", "Ankunft in Deutschland", "04/2015"):
        assert german in text
    assert "Lives in Leverkusen" not in text and "I have a Duldung" not in text


def test_urgent_cases_and_repeat_hints_stand_out_on_the_cover() -> None:
    urgent = {**BASICS, "threat": ("duldung", "date"), "deport_date": PartialDate(2026, 12, 1)}
    text = extract(render_pdf(make_application(urgent), REFERENCE, repeat_hint="LEV-2025-0007"))
    assert text.index("EILFALL") < text.index("Möglicher Wiederholungsfall: LEV-2025-0007")
    assert text.index("Wiederholungsfall") < text.index("1. Über Sie")
    assert "EILFALL" not in extract(render_pdf(make_application(BASICS)))


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("Straße", "Straße"),
        ("می‌خواهم", "می‌خواهم"),  # ZWNJ stays: it changes how Persian letters join
        ("a\tb\r\nc", "a    b\nc"),
        ("❤️🙏", "❤🙏"),  # emoji style selector dropped, the emoji kept
        ("x\u202ey", "x[U+202E]y"),  # a bidi override would reorder what the reader sees
        ("\u200fلدي\u061c", "\u200fلدي"),  # marks: kept if a font has them, else dropped
        ("\ue000\x07", "[U+E000][U+0007]"),  # no glyph, no empty box
    ],
)
def test_printable_text_hides_nothing(typed: str, printed: str) -> None:
    assert fonts.printable(typed, covered()) == printed


@functools.cache
def covered() -> frozenset[int]:
    """Every code point a shipped font has a glyph for, read with fontTools."""
    glyphs: set[int] = set()
    for path in fonts.paths():
        with TTFont(path, lazy=True) as font:
            glyphs |= set(font.getBestCmap())
    return frozenset(glyphs)


def catalog_texts() -> Iterator[tuple[str, str]]:
    paths = sorted(LOCALES_DIR.glob("*/LC_MESSAGES/*.po"))
    assert len(paths) >= 2
    for path in paths:
        with path.open("rb") as source:
            for message in read_po(source):
                for text in (*_strings(message.id), *_strings(message.string)):
                    yield path.parts[-3], text


def _strings(value: object) -> tuple[str, ...]:
    return tuple(s for s in (value if isinstance(value, tuple) else (value,)) if s)


def test_shipped_fonts_cover_every_catalog_and_every_sample_answer() -> None:
    glyphs = covered()
    texts = [*catalog_texts(), *(("answers", words) for _, words in STORIES.values())]
    tofu = {
        (where, char)
        for where, text in texts
        for char in fonts.printable(text, glyphs)
        if char not in "\n " and ord(char) not in glyphs
    }
    marked = {(where, text) for where, text in texts if "[U+" in fonts.printable(text, glyphs)}
    assert not tofu and not marked


def test_fonts_are_small_and_licensed() -> None:
    assert sum(path.stat().st_size for path in fonts.paths()) < 3_000_000
    for licence in ("OFL.txt", "Symbola-LICENSE.txt"):
        assert (fonts.FOLDER / licence).stat().st_size > 0


def image(size: tuple[int, int], fmt: str, orientation: int = 1) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.new("RGB", size, (200, 120, 40)).save(out, fmt, exif=exif)
    return out.getvalue()


def two_page_pdf() -> bytes:
    writer = PdfWriter()
    for _ in range(2):
        writer.add_blank_page(width=300, height=400)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ATTACHED = [  # id, kind, mime, content, the question it answers
    ("turned", "photo", "image/jpeg", image((800, 600), "JPEG", orientation=6), "doc_id"),
    ("wide", "photo", "image/png", image((900, 300), "PNG"), "doc_id"),
    ("letter", "pdf", "application/pdf", two_page_pdf(), "doc_paper"),
    ("broken", "pdf", "application/pdf", b"%PDF-1.7\nnot really", "doc_paper"),
    ("blurred", "photo", "image/jpeg", b"\xff\xd8\xff\xe0 cut off", "doc_other"),
    ("voice", "voice", "audio/ogg", b"OggS" + bytes(40), "story_week"),
]


def attached_application() -> tuple[dict[str, Any], list[tuple[str, str, bytes]]]:
    answers: dict[str, Any] = dict(BASICS)
    for aid, kind, mime, data, path in ATTACHED:
        file = Attachment(aid, kind, len(data), mime)
        if kind == "voice":
            answers[path] = FreeText(("Hören Sie bitte.", file), "de")
        else:
            previous = answers.get(path, Document(DocStatus.UPLOADED))
            answers[path] = Document(DocStatus.UPLOADED, (*previous.files, file))
    made = make_application(answers, language="de")
    order = [a["id"] for a in made["attachments"]]
    content = {aid: data for aid, _, _, data, _ in ATTACHED}
    files = [(aid, f"attachments/{n}-{aid}.bin", content[aid]) for n, aid in
             enumerate(order, start=1)]
    return made, files


def test_photos_become_pages_pdfs_are_merged_voice_notes_listed() -> None:
    made, files = attached_application()
    reader = PdfReader(io.BytesIO(render_pdf(made, REFERENCE, files)))
    outline = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    number = {aid: n for n, (aid, _, _) in enumerate(files, start=1)}
    turned = outline[f"Anlage {number['turned']}: Pass oder Ausweis"]
    wide = outline[f"Anlage {number['wide']}: Pass oder Ausweis"]
    letter = outline[f"Anlage {number['letter']}: Aktuelles Aufenthaltsdokument"]
    assert outline["Antrag"] == 0
    assert (wide, letter, len(reader.pages)) == (turned + 1, turned + 2, turned + 4)
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    assert sizes[turned][0] < sizes[turned][1]  # upright after its EXIF orientation
    assert sizes[wide][0] > sizes[wide][1]  # a wide photo gets a landscape page
    assert sizes[letter:] == [(300, 400), (300, 400)]  # the PDF's own pages, unchanged
    cover = " ".join(" ".join(page.extract_text().split()) for page in reader.pages[:turned])
    assert files[number["voice"] - 1][1] in cover
    assert "Sprachnachricht: nicht im PDF" in cover
    assert cover.count("nicht lesbar oder leer") == 2  # the broken PDF and the cut-off photo


@pytest.mark.parametrize(
    ("orientation", "corner"),
    [(1, (-1, 1)), (3, (1, -1)), (6, (1, 1)), (8, (-1, -1))],  # (x, y), y pointing up
)
def test_a_turned_photo_is_embedded_as_sent_and_turned_on_the_page(
    orientation: int, corner: tuple[int, int]
) -> None:
    sent = image((800, 600), "JPEG", orientation)
    pdf = render_pdf({"language": "de"}, "", [("p", "p.jpg", sent)])
    page = PdfReader(io.BytesIO(pdf)).pages[-1]
    (embedded,) = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
    assert embedded.get_data() == sent  # no decoding, no second JPEG compression
    first = drawn(page, (0, 1))  # the stored image's top-left pixel (image space, y up)
    centre = drawn(page, (0.5, 0.5))
    assert (sign(first[0] - centre[0]), sign(first[1] - centre[1])) == corner


def drawn(page: Any, point: tuple[float, float]) -> tuple[float, float]:
    """Where a point of the page's image lands: its ``cm`` matrices multiplied up to ``Do``."""
    ctm, saved = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), []
    for operands, operator in ContentStream(page.get_contents(), None).operations:
        if operator == b"q":
            saved.append(ctm)
        elif operator == b"Q":
            ctm = saved.pop()
        elif operator == b"cm":
            a, b, c, d, e, f = (float(n) for n in operands)
            p, q, r, s, t, u = ctm
            ctm = (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
                   e * p + f * r + t, e * q + f * s + u)
        elif operator == b"Do":
            x, y = point
            return x * ctm[0] + y * ctm[2] + ctm[4], x * ctm[1] + y * ctm[3] + ctm[5]
    raise AssertionError("no image drawn")


def sign(value: float) -> int:
    return (value > 0) - (value < 0)


def test_an_application_without_sections_or_files_still_renders() -> None:
    text = extract(render_pdf({"language": "fa"}, ""))
    assert "(noch keines)" in text and "Persisch (fa)" in text


def test_a_photo_fpdf2_cannot_embed_gets_a_note_on_its_page() -> None:
    sheet = Sheet(REFERENCE)
    photo = Enclosure(1, "a", "attachments/1-a.jpg", "Pass", "photo", "", b"\xff\xd8\xff x", (1, 2))
    _photo_page(sheet, photo)
    text = extract(bytes(sheet.output()))
    assert "Anlage 1: Pass" in text and "lässt sich nicht einbetten" in text


def test_recording_in_person_is_noted_on_the_cover() -> None:
    application = make_application(BASICS)
    application["recorded"] = {"staff": "GS-1", "interpreter": "Frau A.", "date": "2026-11-25",
                               "read_back": "yes"}
    text = extract(render_pdf(application, REFERENCE))
    assert "Zur Niederschrift aufgenommen" in text and "GS-1" in text and "Frau A." in text
    assert "vorgelesen und bestätigt" in text
    assert text.index("Frau A.") < text.index("1. Über Sie")
