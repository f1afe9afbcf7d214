"""Free text keeps the interface language unless it is clearly written in another script."""

from __future__ import annotations

import pytest

from dialogs.scripts import dominant_script, language_of


@pytest.mark.parametrize(("text", "interface", "expected"), [
    ("Mein Sohn geht zur Schule.", "de", "de"),
    ("ابني يذهب إلى المدرسة", "de", "und-Arab"),
    ("ابني يذهب إلى المدرسة", "ar", "ar"),
    ("می‌خواهم اینجا بمانم", "fa", "fa"),
    ("Я живу в Леверкузене", "de", "und-Cyrl"),
    ("ኣብ ሌቨርኩዘን እነብር", "ti", "ti"),
    ("ኣብ ሌቨርኩዘን እነብር", "en", "und-Ethi"),
    ("Ich arbeite bei REWE", "ar", "und-Latn"),
    ("أعمل في REWE", "ar", "ar"),  # mixed: not clearly another script
    ("12.03.2016 !!!", "de", "de"),  # no letters
])
def test_language_of(text: str, interface: str, expected: str) -> None:
    assert language_of(text, interface) == expected


def test_dominant_script_needs_a_clear_majority() -> None:
    assert dominant_script("abc") == "Latn"
    assert dominant_script("ab ва") is None
