"""Load the .po catalogs, compiled in memory at start-up so they are never stale."""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # the language's own name, in its own script
    rtl: bool


def catalog_path(code: str, root: Path = LOCALES_DIR) -> Path:
    return root / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalog(path: Path) -> tuple[gettext.GNUTranslations, bool]:
    """Read a .po file, compile it to an in-memory .mo translation; say if it is complete."""
    with path.open("rb") as source:
        catalog = read_po(source)
    complete = all(
        not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else bool(m.string))
        for m in catalog if m.id
    )
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer), complete


class Catalogs:
    """The offered languages — only complete catalogs are offered — and their translations."""

    def __init__(self, root: Path = LOCALES_DIR) -> None:
        codes = sorted(p.name for p in root.iterdir() if catalog_path(p.name, root).is_file())
        compiled = {code: compile_catalog(catalog_path(code, root)) for code in codes}
        self._translations = {code: tr for code, (tr, complete) in compiled.items() if complete}
        self.incomplete = tuple(code for code, (_, complete) in compiled.items() if not complete)
        self.languages = tuple(_language(code) for code in codes if code in self._translations)

    def translation(self, code: str) -> gettext.GNUTranslations:
        return self._translations.get(code) or self._translations[SOURCE_LANGUAGE]

    def offers(self, code: str) -> bool:
        return code in self._translations

    def match(self, telegram_code: str | None, default: str) -> str:
        """The offered language closest to Telegram's ``language_code`` (``pt-br`` → ``pt``)."""
        if telegram_code:
            wanted = telegram_code.replace("-", "_")
            for candidate in (wanted, wanted.split("_")[0]):
                if candidate in self._translations:
                    return candidate
        return default


# What Dari speakers call their language (CLDR says "Persian (Afghanistan)").
ENDONYMS = {"fa_AF": "دری"}


def _language(code: str) -> Language:
    locale = Locale.parse(code)
    name = ENDONYMS.get(code) or locale.get_display_name(code) or code
    return Language(code, name[:1].upper() + name[1:], locale.text_direction == "rtl")
