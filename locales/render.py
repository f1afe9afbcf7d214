"""Turn the engine's texts into the words a person reads, in their language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.numbers import format_decimal

from dialogs.types import Join, Lines, Param, PartialDate, Text, Verbatim
from locales.catalogs import Catalogs

SMALL = 1000
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate: embedded runs keep their own direction


class Renderer:
    """Translates texts and formats dates and numbers with Babel, per language."""

    def __init__(self, catalogs: Catalogs, defaults: Mapping[str, Param] | None = None) -> None:
        self.catalogs = catalogs
        self.defaults = dict(defaults or {})  # the board's values any text may name: {days}
        self._rtl = {lang.code for lang in catalogs.languages if lang.rtl}
        self._locales: dict[str, Locale] = {}  # parsed once: Babel parses a code on every call
        self._numbers: dict[tuple[str, int], str] = {}  # at most SMALL per language

    def __call__(self, item: Param, lang: str) -> str:
        return self.render(item, lang)

    def render(self, item: Param, lang: str) -> str:
        match item:
            case Text():
                return self._text(item, lang)
            case Verbatim():
                return self._isolate(item.text, lang)
            case Join():
                return format_list([self.render(p, lang) for p in item.parts],
                                   locale=self._locale(lang))
            case Lines():
                return "\n".join(self.render(p, lang) for p in item.parts)
            case PartialDate():
                return self._isolate(self.date(item, lang), lang)
            case int():
                return self._isolate(self.number(item, lang), lang)
            case str():
                return self._isolate(item, lang)
        raise TypeError(f"cannot render {type(item).__name__}")

    def gettext(self, msgid: str, lang: str) -> str:
        return self.catalogs.translation(lang).gettext(msgid)

    def date(self, value: PartialDate, lang: str) -> str:
        locale = self._locale(lang)
        if value.day is None:
            return format_skeleton("yMMMM", dt.date(value.year, value.month, 1), locale=locale)
        return format_date(dt.date(value.year, value.month, value.day), "medium", locale=locale)

    def number(self, value: int, lang: str) -> str:
        """In the language's digits; small numbers (section numbers, counts) come from memory."""
        if not 0 <= value < SMALL:
            return format_decimal(value, locale=self._locale(lang))
        key = (lang, value)
        found = self._numbers.get(key)
        if found is None:
            found = self._numbers[key] = format_decimal(value, locale=self._locale(lang))
        return found

    def _locale(self, lang: str) -> Locale:
        found = self._locales.get(lang)
        if found is None:
            found = self._locales[lang] = Locale.parse(lang)
        return found

    def is_rtl(self, lang: str) -> bool:
        return lang in self._rtl

    def _text(self, item: Text, lang: str) -> str:
        translation = self.catalogs.translation(lang)
        if item.plural is not None and item.count is not None:
            pattern = translation.ngettext(item.msgid, item.plural, item.count)
        else:
            pattern = translation.gettext(item.msgid) if item.msgid else ""
        if "{" not in pattern:
            return pattern
        merged = {**self.defaults, **item.params}
        values = {k: self.render(v, lang) for k, v in merged.items() if f"{{{k}}}" in pattern}
        try:
            return pattern.format_map(_Keep(values))
        except (IndexError, ValueError):  # a broken translation: fall back to the source
            return item.msgid.format_map(_Keep(values))

    def _isolate(self, text: str, lang: str) -> str:
        return f"{FSI}{text}{PDI}" if lang in self._rtl and text else text


class _Keep(dict[str, str]):
    """Format values that leave an unknown placeholder visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return f"{{{key}}}"
