"""An A4 page layout over fpdf2: shipped fonts, shaped text, headings, tables, banners.

Every string passes through :func:`secretariat.fonts.printable` and is drawn as plain text:
no markdown, no HTML, no page-number alias, so what a person wrote prints as they wrote it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from fpdf import FPDF
from fpdf.enums import Align, TableBordersLayout, VAlign, XPos, YPos
from fpdf.fonts import FontFace, TTFFont
from fpdf.table import Table

from secretariat import fonts

BLACK = (0, 0, 0)
GREY = (96, 96, 96)
RULE = (170, 170, 170)
SIZE = 10.0
Row = Sequence[str]


class Sheet(FPDF):
    """The secretariat's paper: the reference and the page number on every page."""

    def __init__(self, reference: str) -> None:
        super().__init__(format="A4")
        self.reference = reference
        # No page-count alias (documented: None turns it off), or a typed "{nb}" would print
        # as the number of pages.
        self.alias_nb_pages(None)  # type: ignore[arg-type]
        self.set_margins(18, 14, 18)
        self.set_auto_page_break(True, margin=16)
        for (family, style), name in fonts.FILES.items():
            # What FPDF.add_font does for a .ttf, with a font that remembers its shaping.
            self.fonts[family + style] = Font(self, fonts.FOLDER / name, family + style, style)
        self.set_fallback_fonts(list(fonts.FALLBACKS), exact_match=False)
        self.set_text_shaping(True)
        self.covered = frozenset(c for f in self.fonts.values() for c in getattr(f, "cmap", ()))
        self.set_lang("de")
        self.set_font(fonts.MAIN, size=SIZE)
        self.set_draw_color(*RULE)
        self._columns = 1

    def header(self) -> None:
        with self.local_context():
            self.set_font(fonts.MAIN, size=7.5)
            self.set_text_color(*GREY)
            note = f"{self.reference} · Seite {self.page_no()}" if self.reference else ""
            self.cell(0, 4, self.clean(note), align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def clean(self, text: str) -> str:
        return fonts.printable(text, self.covered)

    def paragraph(
        self,
        text: str,
        *,
        size: float = SIZE,
        style: str = "",
        color: tuple[int, int, int] = BLACK,
        rtl: bool = False,
        indent: float = 0,
    ) -> None:
        """Text across the page, broken over lines and pages; right-aligned for RTL scripts."""
        with self.local_context():
            self.set_font(fonts.MAIN, style, size)
            self.set_text_color(*color)
            if rtl:
                self.set_text_shaping(True, direction="rtl")
            self.set_x(self.l_margin + indent)
            self.multi_cell(
                0, size * 0.5, self.clean(text), align=Align.R if rtl else Align.L,
                new_x=XPos.LMARGIN, new_y=YPos.NEXT,
            )
        self.set_text_shaping(True)

    def heading(self, text: str, *, size: float = 12.5) -> None:
        """A section heading with a rule below; never alone at the foot of a page."""
        if self.will_page_break(size * 2.2):
            self.add_page()
        self.ln(3)
        self.paragraph(text, size=size, style="B")
        self.line(self.l_margin, self.get_y() + 0.5, self.w - self.r_margin, self.get_y() + 0.5)
        self.ln(2)

    def banner(self, text: str, fill: tuple[int, int, int]) -> None:
        """A filled box in white bold letters: urgency and hints nobody may overlook."""
        with self.local_context():
            self.set_fill_color(*fill)
            self.set_text_color(255, 255, 255)
            self.set_font(fonts.MAIN, "B", 12)
            self.multi_cell(
                0, 7, self.clean(text), fill=True, padding=(2, 3), align=Align.L,
                new_x=XPos.LMARGIN, new_y=YPos.NEXT,
            )
        self.ln(2)

    @contextmanager
    def rows(self, widths: Sequence[float], *, headings: Row | None = None) -> Iterator[Table]:
        """A table without vertical rules; rows move to the next page whole."""
        with self.local_context(), self.table(
            col_widths=tuple(widths), first_row_as_headings=headings is not None,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES, text_align=Align.L,
            v_align=VAlign.T, line_height=SIZE * 0.5, padding=(1.2, 1.5),
            headings_style=FontFace(emphasis="BOLD", color=GREY),
        ) as table:
            self._columns = len(widths)
            if headings is not None:
                self.add_row(table, headings)
            yield table
        self.ln(1)

    def add_row(self, table: Table, cells: Row, *, label: bool = False) -> None:
        """One row; the first cell grey when ``label``; RTL cells right-aligned."""
        row = table.row()
        for n, text in enumerate(cells):
            style = FontFace(color=GREY) if label and n == 0 else None
            row.cell(self.clean(text), align=Align.R if is_rtl(text) else Align.L, style=style)

    def add_span(self, table: Table, text: str) -> None:
        """A bold row across the table: the item of a repeating group, e.g. "Person 2"."""
        table.row().cell(self.clean(text), colspan=self._columns, style=FontFace(emphasis="BOLD"))

    def _render_styled_text_line(self, *args: Any, **kwargs: Any) -> bool:
        # fpdf2 2.8.9 switches to a fallback font (Ethiopic, Arabic) inside a line's text
        # object and forgets it there, but a PDF keeps the font after ET: when the next line
        # started in the main font, fpdf2 did not set it again and the Latin letters printed
        # with the fallback's glyph ids (see py-pdf/fpdf2#1772 for the same state bug at a
        # page's start). Stating the font at the start of every line costs a few bytes.
        # tests/secretariat/test_sheet.py fails without this.
        self.current_font_is_set_on_page = False
        return bool(super()._render_styled_text_line(*args, **kwargs))


class Font(TTFFont):
    """A font that shapes each text once per document.

    fpdf2 breaks lines by shaping every character, then the whole line so far, once per
    character, and lays out each table cell twice (to measure the row, then to draw it):
    nearly every string is shaped again and again, and each time costs a HarfBuzz call.
    The results depend only on the text, the size and the shaping parameters; glyphs enter
    the document's subset the first time, so answering later calls from memory changes nothing.
    """

    __slots__ = ("_shaped", "_widths")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._widths: dict[tuple[Any, ...], tuple[int, float]] = {}
        self._shaped: dict[tuple[Any, ...], Sequence[dict[str, Any]]] = {}

    def get_text_width(
        self, text: str, font_size_pt: float, text_shaping_params: dict[str, Any] | None
    ) -> tuple[int, float]:
        if not text_shaping_params:
            return super().get_text_width(text, font_size_pt, text_shaping_params)
        self.biggest_size_pt = max(self.biggest_size_pt, font_size_pt)
        key = _key(text, font_size_pt, text_shaping_params)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = super().get_text_width(
                text, font_size_pt, text_shaping_params
            )
        return width

    def shape_text(
        self, text: str, font_size_pt: float, text_shaping_params: dict[str, Any] | None
    ) -> Sequence[dict[str, Any]]:
        key = _key(text, font_size_pt, text_shaping_params or {})
        shaped = self._shaped.get(key)
        if shaped is None:
            shaped = self._shaped[key] = super().shape_text(
                text, font_size_pt, text_shaping_params
            )
        return shaped


def _key(text: str, size: float, params: dict[str, Any]) -> tuple[Any, ...]:
    """What HarfBuzz's result depends on (see fpdf.fonts.TTFFont.perform_harfbuzz_shaping)."""
    features = params.get("features")
    return (text, size, params.get("fragment_direction"), params.get("script"),
            params.get("language"), tuple(features.items()) if features else ())


def is_rtl(text: str) -> bool:
    """True if the first letter with a direction is right-to-left (Arabic script, Hebrew)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False
