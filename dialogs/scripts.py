"""Which script a text is written in: to name the language of free text when it differs."""

from __future__ import annotations

import unicodedata
from collections import Counter

SCRIPT_OF_LANGUAGE = {"ar": "Arab", "ckb": "Arab", "fa": "Arab", "fa_AF": "Arab", "ps": "Arab",
                      "ru": "Cyrl", "ti": "Ethi"}
_PREFIXES = (("ARABIC", "Arab"), ("CYRILLIC", "Cyrl"), ("ETHIOPIC", "Ethi"), ("LATIN", "Latn"),
             ("GREEK", "Grek"), ("HEBREW", "Hebr"), ("DEVANAGARI", "Deva"))
CLEAR = 0.8  # share of letters in one script before a text counts as "clearly" in it


def dominant_script(text: str) -> str | None:
    """The ISO 15924 code of the script most letters are in, if clearly dominant."""
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            counts[next((code for prefix, code in _PREFIXES if name.startswith(prefix)),
                        "Zyyy")] += 1
    if not counts:
        return None
    script, n = counts.most_common(1)[0]
    return script if n / sum(counts.values()) >= CLEAR else None


def language_of(text: str, interface: str) -> str:
    """The interface language, unless the text is clearly in another script: then und-<Script>."""
    script = dominant_script(text)
    if script is None or script == SCRIPT_OF_LANGUAGE.get(interface, "Latn"):
        return interface
    return f"und-{script}"
