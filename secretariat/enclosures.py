"""The attachments of an application, as they go into its PDF.

The secretariat prints and files one document per case, so whatever can be a page becomes
one, behind the application:

- a photo gets a page of its own, captioned with its number, checklist item and file name,
  scaled to fit A4 (landscape when wider than high, turned upright by its EXIF orientation:
  embedded as sent and turned on the page, so a phone's JPEG is never decoded);
- a PDF is appended page by page with pypdf, unchanged: re-drawing it would lose its text
  layer, and a scan's pages are already pages;
- a voice note cannot live in a PDF: the cover lists its file name, and the file lies beside
  the PDF in the export folder.

A file that cannot be read (damaged, encrypted, of an unknown kind) gets a note on the cover
instead of stopping the export; its original is exported all the same.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter

from secretariat.german import KINDS, German

_ORIENTATION = 0x0112  # EXIF tag
# EXIF orientation → degrees a photo stored so is turned counter-clockwise to stand upright.
# The mirrored orientations (2, 4, 5, 7), rare, are turned by Pillow instead.
_TURNS = {1: 0, 3: 180, 6: 270, 8: 90}
VOICE = "Sprachnachricht: nicht im PDF, die Datei liegt bei"
UNREADABLE = "nicht lesbar oder leer: die Originaldatei liegt bei"


@dataclass(frozen=True)
class Enclosure:
    """One attachment: what it belongs to and how it is included."""

    number: int  # "Anlage 2"; also the file name's prefix in the export folder
    id: str  # the attachment id the answers refer to
    name: str  # the file name in the export folder
    purpose: str  # the checklist item or question it was sent for, in German
    kind: str  # photo | pdf | voice | unreadable
    note: str  # how the PDF includes it, in German
    photo: Image.Image | bytes | None = None  # the untouched bytes, or a mirrored one upright
    size: tuple[int, int] = (0, 0)  # the photo's width and height in pixels, upright
    turn: int = 0  # degrees counter-clockwise that stand ``photo`` upright on the page
    pages: bytes = b""  # a PDF's pages, already read and written once by pypdf

    @property
    def title(self) -> str:
        return f"Anlage {self.number}: {self.purpose}" if self.purpose else f"Anlage {self.number}"

    @property
    def landscape(self) -> bool:
        return self.size[0] > self.size[1]


def enclosures(
    application: dict[str, Any], files: Sequence[tuple[str, str, bytes]], de: German
) -> list[Enclosure]:
    """The exported files (id, name, content) in export order, each read once."""
    purposes, kinds = _purposes(application, de), _kinds(application)
    return [
        _enclosure(n, aid, name, purposes.get(aid, ""), kinds.get(aid, ("", "")), data)
        for n, (aid, name, data) in enumerate(files, start=1)
    ]


def merge(cover: bytes, attached: Sequence[Enclosure]) -> bytes:
    """The cover (with its photo pages) followed by every readable PDF's pages."""
    pdfs = [e for e in attached if e.pages]
    if not pdfs:
        return cover
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(cover)))
    for enclosure in pdfs:
        writer.append(PdfReader(io.BytesIO(enclosure.pages)), enclosure.title, import_outline=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _enclosure(
    number: int, aid: str, name: str, purpose: str, recorded: tuple[str, str], data: bytes
) -> Enclosure:
    """How one file goes in: by its content; a voice note by what the bot recorded."""
    kind, mime = recorded
    made = partial(Enclosure, number=number, id=aid, name=name, purpose=purpose)
    if kind == "voice" or mime.startswith("audio/"):
        return made(kind="voice", note=VOICE)
    if data.lstrip()[:5] == b"%PDF-":
        pages, count = _pdf(data)
        if not count:
            return made(kind="unreadable", note=f"PDF {UNREADABLE}")
        return made(kind="pdf", note=f"PDF, {count} Seite(n), hinten angefügt", pages=pages)
    photo = _photo(data)
    if photo is None:
        return made(kind="unreadable", note=f"{KINDS.get(kind, 'Datei')} {UNREADABLE}")
    image, size, turn = photo
    return made(kind="photo", note="Bild, auf eigener Seite angefügt", photo=image, size=size,
                turn=turn)


def _pdf(data: bytes) -> tuple[bytes, int]:
    """The PDF written once by pypdf, and its page count; (b"", 0) if it cannot be read."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return b"", 0
        writer = PdfWriter()
        writer.append(reader, import_outline=False)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue(), len(writer.pages)
    except Exception:  # an untrusted file may fail in any of pypdf's parsers
        return b"", 0


def _photo(data: bytes) -> tuple[Image.Image | bytes, tuple[int, int], int] | None:
    """The image as fpdf2 embeds it, its upright size and the turn that stands it upright.

    The bytes as sent (a JPEG is embedded as it is: fast, and not compressed a second time),
    turned on the page by their EXIF orientation; only a mirrored photo is turned by Pillow.
    None if Pillow cannot read it.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # a bomb is unreadable
            image = Image.open(io.BytesIO(data))
            turn = _TURNS.get(image.getexif().get(_ORIENTATION, 1))
            if turn is not None:
                width, height = image.size
                return data, (height, width) if turn % 180 else (width, height), turn
            upright = ImageOps.exif_transpose(image)
            return upright, upright.size, 0
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        return None


def _purposes(application: dict[str, Any], de: German) -> dict[str, str]:
    """Attachment id → the German label of the entry that refers to it."""
    found: dict[str, str] = {}
    for section in application.get("sections", []):
        for entry in section.get("entries", []):
            answer = de.answer(entry)
            label = f"{answer.item} – {answer.label}" if answer.item else answer.label
            for aid in answer.files:
                found.setdefault(aid, label)
    return found


def _kinds(application: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Attachment id → (kind, mime type) as the bot recorded them."""
    return {
        str(a.get("id")): (str(a.get("kind", "")), str(a.get("mime", "")))
        for a in application.get("attachments", [])
        if isinstance(a, dict)
    }
