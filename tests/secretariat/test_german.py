"""The German wording shared by the text summary and the PDF."""

from __future__ import annotations

from typing import Any

import pytest

from secretariat.german import ROLES, Answer, German, date, is_rtl, language_name


@pytest.mark.parametrize(
    ("code", "name", "rtl"),
    [
        ("fa", "Persisch", True),
        ("fa_AF", "Persisch (Afghanistan)", True),
        ("ckb", "Zentralkurdisch", True),
        ("ps", "Paschtu", True),
        ("ti", "Tigrinya", False),
        ("kmr", "Kurmandschi", False),
        ("und-Arab", "Sprache unbestimmt (Schrift: Arabisch)", True),  # see dialogs/scripts.py
        ("und-Latn", "Sprache unbestimmt (Schrift: Lateinisch)", False),
        ("xx", "xx", False),
        ("", "unbekannt", False),
    ],
)
def test_languages_are_named_in_german(code: str, name: str, rtl: bool) -> None:
    assert (language_name(code), is_rtl(code)) == (name, rtl)


@pytest.mark.parametrize(
    ("iso", "shown"), [("2016-03", "03/2016"), ("2016-03-14", "14.03.2016"), ("", "—"), (None, "—")]
)
def test_dates(iso: str | None, shown: str) -> None:
    assert date(iso) == shown


VOICE = {"id": "v1", "kind": "voice", "size": 9, "mime": "audio/ogg"}


@pytest.mark.parametrize(
    ("entry", "answer"),
    [
        (
            {"label": "Lives in Leverkusen", "value": "yes", "choices": ["Yes"]},
            Answer("Wohnt in Leverkusen", "", "Ja"),
        ),
        (
            {"label": "Family name", "value": "Öztürk", "author": "supporter",
             "item": {"label": "Person {n}", "n": 2}},
            Answer("Familienname", "Person 2", "Öztürk", author=ROLES["supporter"]),
        ),
        (
            {"label": "A normal week", "value": {"text": ["لدي", VOICE, "ابن"], "lang": "ar"}},
            Answer("Eine normale Woche", "", "لدي\nابن", language="ar", files=("v1",)),
        ),
        (
            {"label": "Letters of support", "value": {"doc": "later", "files": []}},
            Answer("Unterstützungsschreiben", "", "wird nachgereicht", document=True),
        ),
        (
            {"label": "Other documents", "value": {"special": "skipped"}},
            Answer("Weitere Dokumente", "", "übersprungen"),
        ),
        (
            {"label": "Date of birth", "value": {"date": "1990-03-14"}},
            Answer("Geburtsdatum", "", "14.03.1990"),
        ),
    ],
)
def test_answers_in_german(entry: dict[str, Any], answer: Answer) -> None:
    assert German().answer(entry) == answer
