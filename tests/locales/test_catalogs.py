"""Every offered catalog is complete, consistent with the source, and compiles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from locales.catalogs import LOCALES_DIR, Catalogs, catalog_path

CODES = sorted(p.parent.parent.name for p in LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"\{(\w+)\}")
BUTTON_MAX = 48


def messages(code: str) -> list:  # type: ignore[type-arg]
    with catalog_path(code).open("rb") as f:
        return [m for m in read_po(f) if m.id]


def template_ids() -> set[str]:
    with (LOCALES_DIR / "messages.pot").open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def test_english_and_german_are_offered() -> None:
    assert {"en", "de"} <= set(CODES)


@pytest.mark.parametrize("code", CODES)
def test_catalog_is_complete_and_has_no_fuzzy_entries(code: str) -> None:
    entries = messages(code)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in entries}
    assert template_ids() - ids == set(), "run `python -m locales.sync`"
    for m in entries:
        assert "fuzzy" not in m.flags, m.id
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        assert all(strings), f"untranslated: {m.id!r}"


@pytest.mark.parametrize("code", CODES)
def test_placeholders_match_the_source(code: str) -> None:
    for m in messages(code):
        source = m.id if isinstance(m.id, str) else m.id[0]
        wanted = sorted(PLACEHOLDER.findall(source))
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for s in strings:
            assert sorted(PLACEHOLDER.findall(s)) == wanted, (code, source, s)


@pytest.mark.parametrize("code", CODES)
def test_plural_forms_follow_cldr(code: str) -> None:
    with catalog_path(code).open("rb") as f:
        catalog = read_po(f)
    assert catalog.num_plurals == get_plural(code).num_plurals
    for m in catalog:
        if m.id and not isinstance(m.id, str):
            assert len(m.string) == catalog.num_plurals, m.id


def test_every_source_message_is_extracted() -> None:
    """The template is current: extracting again would not add a msgid."""
    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parents[2]
    found: set[str] = set()
    for package in ["dialogs", "antragslotse", "bot", "console", "locales"]:
        for _, _, message, _, _ in extract_from_dir(
                str(root / package), keywords={"N_": None, "plural": (1, 2)}):
            found.add(message if isinstance(message, str) else message[0])
    assert found - template_ids() == set(), "run `python -m locales.sync`"


@pytest.mark.parametrize("code", CODES)
def test_catalogs_compile(code: str) -> None:
    assert Catalogs().translation(code).gettext("Yes")


NON_LATIN = {"ar", "ckb", "fa", "fa_AF", "ps", "ru", "ti"}


@pytest.mark.parametrize("code", sorted(NON_LATIN & set(CODES)))
def test_non_latin_catalogs_leave_no_english_behind(code: str) -> None:
    for m in messages(code):
        source = m.id if isinstance(m.id, str) else m.id[0]
        words = re.sub(r"\{\w+\}|/\w+", "", source)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if re.search(r"[A-Za-z]{3,}", words):
            assert source not in strings, (code, source)


@pytest.mark.parametrize("code", [c for c in CODES if c != "en"])
def test_catalogs_say_they_await_native_review(code: str) -> None:
    text = catalog_path(code).read_text(encoding="utf-8")
    assert "awaiting review by a native speaker" in text.split("msgid", 1)[0]
