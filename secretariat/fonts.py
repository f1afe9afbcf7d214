"""The fonts shipped for the PDF, and text made safe to print with them.

Noto Sans carries Latin (with every diacritic the offered languages use) and Cyrillic; the
others are fallbacks that fpdf2 picks per character: Noto Naskh Arabic for Arabic, Persian,
Pashto and Sorani, Noto Sans Ethiopic for Tigrinya, a Symbola subset for symbols and emoji.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

FOLDER = Path(__file__).parent / "fonts"
MAIN = "sans"
FILES = {
    (MAIN, ""): "NotoSans-Regular.ttf",
    (MAIN, "B"): "NotoSans-Bold.ttf",
    ("arabic", ""): "NotoNaskhArabic-Regular.ttf",
    ("ethiopic", ""): "NotoSansEthiopic-Regular.ttf",
    ("symbols", ""): "Symbola-Subset.ttf",
}
FALLBACKS = ("arabic", "ethiopic", "symbols")

_NEWLINES = re.compile("\r\n?|[\u2028\u2029\x85]")
_OVERRIDES = {"\u202d", "\u202e"}  # left-to-right and right-to-left override


def paths() -> list[Path]:
    """Every shipped font file."""
    return [FOLDER / name for name in FILES.values()]


def printable(text: str, covered: frozenset[int]) -> str:
    """The text as it can be printed: nothing interpreted, nothing silently lost.

    Line breaks are normalised and tabs become spaces. Invisible formatting characters no
    font has (emoji style selectors, the Arabic letter mark) are dropped: they show nothing
    anyway. Any other character no shipped font has — a control character, an emoji newer
    than the fonts — and the bidi overrides, which would make the reader see the letters in
    another order than they were written, are shown as their code point, e.g. ``[U+202E]``,
    never as an empty box.
    """
    return "".join(_printable(c, covered) for c in _NEWLINES.sub("\n", text).replace("\t", "    "))


def _printable(char: str, covered: frozenset[int]) -> str:
    if char in _OVERRIDES:
        return f"[U+{ord(char):04X}]"
    if char == "\n" or (ord(char) in covered and unicodedata.category(char) != "Cc"):
        return char
    return "" if _invisible(char) else f"[U+{ord(char):04X}]"


def _invisible(char: str) -> bool:
    """A formatting character or variation selector: it has no glyph of its own."""
    return unicodedata.category(char) == "Cf" or "\ufe00" <= char <= "\ufe0f" or (
        "\U000e0100" <= char <= "\U000e01ef"
    )
