"""The page layout over fpdf2: fonts that switch per script without garbling the next line."""

from __future__ import annotations

import io

from fpdf.enums import XPos, YPos
from pypdf import PdfReader

from secretariat.sheet import Sheet, is_rtl


def test_a_line_ending_in_a_fallback_font_leaves_the_next_line_intact() -> None:
    """fpdf2 2.8.9 let a fallback font (Ethiopic, Arabic) outlive its line: the next Latin
    line printed with the wrong glyphs. Plain ``multi_cell`` calls, without the sheet's own
    helpers (which would hide it), show that Sheet prevents it."""
    sheet = Sheet("")
    sheet.add_page()
    for text in ("ኣብ ሌቨርኩዘን", "Straße und Леверкузен", "لدي ابن", "Dritte Zeile"):
        sheet.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    page = PdfReader(io.BytesIO(bytes(sheet.output()))).pages[0]
    lines = page.extract_text().splitlines()
    assert lines == ["ኣብ ሌቨርኩዘን", "Straße und Леверкузен", "ابن لدي", "Dritte Zeile"]


def test_right_to_left_is_told_by_the_first_strong_letter() -> None:
    assert is_rtl("«لدي ابن» Leverkusen")
    assert not is_rtl("12, Leverkusen لدي")
    assert not is_rtl("123 …")
