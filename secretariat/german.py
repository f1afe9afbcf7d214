"""The German wording of an application, shared by the text summary and the PDF.

Labels and choices are message ids translated with the German catalog; what the person
wrote stays in their words, with its language named in German.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.core import parse_locale

from dialogs.codec import decode_value
from dialogs.types import Attachment, DocStatus, Document, FreeText, PartialDate, Special, Value
from locales.catalogs import Catalogs, catalog_path, compile_catalog

GERMAN = "de"
TITLE = "Antrag an das Aufenthaltsrechtliche Beratungsgremium"
ADDENDUM_TITLE = "Nachtrag zum Antrag an das Aufenthaltsrechtliche Beratungsgremium"


def title(application: dict[str, Any]) -> str:
    """The document's heading: an application, or a Nachtrag to one."""
    return ADDENDUM_TITLE if application.get("addendum_to") else TITLE
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
KINDS = {"photo": "Foto", "pdf": "PDF", "voice": "Sprachnachricht"}
_NAMES = {"und": "Sprache unbestimmt", "kmr": "Kurmandschi", "prs": "Dari"}  # Babel lacks these
_RTL_SCRIPTS = {"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg"}


@dataclass(frozen=True)
class Answer:
    """One answer as the secretariat reads it."""

    label: str  # the question, in German
    item: str  # "Person 2" inside a repeating group, else ""
    text: str  # German wording; for free text the person's own words, verbatim
    language: str = ""  # the language code of the person's own words (free text only)
    files: tuple[str, ...] = ()  # attachment ids: a document's files, a story's voice notes
    author: str = ""  # who typed it, in German, when not the person concerned
    document: bool = False  # a checklist item; ``text`` is its status

    @property
    def verbatim(self) -> bool:
        return bool(self.language)


class German:
    """Turns the application's message ids and encoded values into German."""

    def __init__(self, catalogs: Catalogs | None = None) -> None:
        # Only the German catalog by default: compiling all sixteen takes over half a second.
        if catalogs is None:
            translation, _ = compile_catalog(catalog_path(GERMAN))
        else:
            translation = catalogs.translation(GERMAN)
        self.gettext = translation.gettext

    def answer(self, entry: dict[str, Any]) -> Answer:
        """One entry of a section, as the bot sealed it (see dialogs/application.py)."""
        item = entry.get("item")
        author = entry.get("author")
        common: dict[str, Any] = {
            "label": self.gettext(entry["label"]),
            "item": self.gettext(item["label"]).format(n=item["n"]) if item else "",
            "author": "" if author in (None, "applicant") else ROLES.get(author, author),
        }
        value = decode_value(entry["value"])
        if "choices" in entry:
            chosen = ", ".join(self.gettext(c) for c in entry["choices"])
            return Answer(text=chosen or "(keine Auswahl)", **common)
        match value:
            case FreeText():
                words = "\n".join(p for p in value.parts if isinstance(p, str))
                voices = tuple(p.id for p in value.parts if isinstance(p, Attachment))
                return Answer(text=words, language=value.language, files=voices, **common)
            case Document():
                files = tuple(f.id for f in value.files)
                return Answer(text=DOCUMENT[value.status], files=files, document=True, **common)
        return Answer(text=self.value(value), **common)

    def value(self, value: Value) -> str:
        """Any value but free text and documents, in German."""
        match value:
            case Special():
                return SPECIAL[value]
            case PartialDate():
                return date(value.iso())
            case tuple():
                return ", ".join(value)
            case FreeText() | Document():
                raise TypeError("free text and documents have an Answer of their own")
        return str(value)

    def cv_row(self, row: dict[str, Any]) -> tuple[str, str, str]:
        """A row of the tabular CV: when, what, detail."""
        return date(row.get("from")), self.gettext(row["what"]), str(row.get("detail") or "")


def roles(codes: Iterable[str]) -> str:
    """Who entered the answers, in German."""
    return ", ".join(ROLES.get(r, r) for r in codes) or ROLES["applicant"]


def language_name(code: str) -> str:
    """The language's German name (Babel): ``fa`` → ``Persisch``, ``fa_AF`` → ``Persisch
    (Afghanistan)``, ``und-Arab`` (text clearly in another script than the interface's) →
    ``Sprache unbestimmt (Schrift: Arabisch)``."""
    try:
        language, territory, script = parse_locale(code.replace("-", "_"))[:3]
    except ValueError:
        return code or "unbekannt"
    de = Locale.parse(GERMAN)
    name = _NAMES.get(language) or de.languages.get(language)
    if name is None:
        try:
            name = Locale.parse(language).get_display_name(GERMAN) or code
        except (ValueError, UnknownLocaleError):
            return code
    details = [de.territories.get(territory, territory)] if territory else []
    details += [f"Schrift: {de.scripts.get(script, script)}"] if script else []
    return f"{name} ({', '.join(details)})" if details else name


def is_rtl(code: str) -> bool:
    """Whether text in this language (or script) runs right to left."""
    try:
        language, _, script = parse_locale(code.replace("-", "_"))[:3]
        if script:
            return script in _RTL_SCRIPTS
        return Locale.parse(language).text_direction == "rtl"
    except (ValueError, UnknownLocaleError):
        return False


def date(text: object) -> str:
    """``2016-03`` → ``03/2016``; ``2016-03-14`` → ``14.03.2016``; nothing → a dash."""
    if not isinstance(text, str) or not text:
        return "—"
    value = PartialDate.from_iso(text)
    if value.day is None:
        return f"{value.month:02d}/{value.year}"
    return dt.date(value.year, value.month, value.day).strftime("%d.%m.%Y")
