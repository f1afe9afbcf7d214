"""The renderer: translation, Babel formats, plural forms, right-to-left isolation."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.types import Join, PartialDate, Text, Verbatim, plural, t
from locales.catalogs import Catalogs
from locales.render import FSI, PDI, Renderer

AR_PO = '''msgid ""
msgstr ""
"Language: ar\\n"
"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
"n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "Your answer so far: {answer}"
msgstr "إجابتك حتى الآن: {answer}"

msgid "{n} year"
msgid_plural "{n} years"
msgstr[0] "{n} سنة-0"
msgstr[1] "سنة واحدة"
msgstr[2] "سنتان"
msgstr[3] "{n} سنوات"
msgstr[4] "{n} سنة-4"
msgstr[5] "{n} سنة-5"
'''


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(Catalogs())


@pytest.fixture
def arabic(tmp_path: Path) -> Renderer:
    for code, text in (("ar", AR_PO), ("en", 'msgid ""\nmsgstr ""\n"Language: en\\n"\n')):
        folder = tmp_path / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "messages.po").write_text(text, encoding="utf-8")
    return Renderer(Catalogs(tmp_path))


def test_source_language_and_german_dates(renderer: Renderer) -> None:
    assert renderer(PartialDate(2016, 3, 14), "en") == "Mar 14, 2016"
    assert renderer(PartialDate(2016, 3, 14), "de") == "14.03.2016"
    assert renderer(PartialDate(2016, 3), "de") == "März 2016"


def test_plural_forms_in_english(renderer: Renderer) -> None:
    assert renderer(plural("{n} year", "{n} years", 1), "en") == "1 year"
    assert renderer(plural("{n} year", "{n} years", 10), "en") == "10 years"


def test_nested_texts_and_lists(renderer: Renderer) -> None:
    text = t("{a}: {b}", a=t("Yes"), b=Join((t("No"), Verbatim("Amira"))))
    assert renderer(text, "en") == "Yes: No and Amira"


def test_verbatim_text_is_never_interpreted(renderer: Renderer) -> None:
    tricky = "<b>x</b> {0} {answer} %s {{7*7}}"
    assert renderer(t("Your answer so far: {answer}", answer=Verbatim(tricky)), "en") \
        == f"Your answer so far: {tricky}"


def test_rtl_isolates_names_numbers_and_dates(arabic: Renderer) -> None:
    text = arabic(t("Your answer so far: {answer}", answer=Verbatim("Amira Hassan")), "ar")
    assert text == f"إجابتك حتى الآن: {FSI}Amira Hassan{PDI}"
    assert arabic(PartialDate(2016, 3), "ar").startswith(FSI)
    assert arabic(42, "ar") == f"{FSI}42{PDI}"


@pytest.mark.parametrize(("n", "form"), [(0, "-0"), (1, "واحدة"), (2, "سنتان"), (3, "سنوات"),
                                         (11, "-4"), (100, "-5")])
def test_arabic_has_six_plural_forms(arabic: Renderer, n: int, form: str) -> None:
    assert form in arabic(plural("{n} year", "{n} years", n), "ar")


def test_unknown_language_falls_back_to_the_source(renderer: Renderer) -> None:
    assert renderer(Text("Yes"), "xx") == "Yes"
