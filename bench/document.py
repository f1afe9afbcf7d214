"""The secretariat's German PDF of a full application with ten attachments (``python -m
bench.document``), if ``secretariat.pdf`` exists: the time of the first rendering in a
fresh process (fonts loaded) and of later ones.

The application is a complete walk through the interview in Arabic with answers in the
person's words, and ten attachments as a phone sends them: eight photos (3000×4000 JPEG,
about 1–2 MB each) and two scanned letters as two-page PDFs.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import statistics
import sys
import time
from dataclasses import replace
from typing import Any

from dialogs import engine, flow
from dialogs.application import application
from dialogs.content import INTERVIEW
from dialogs.progress import Progress
from dialogs.types import Attachment, DocStatus, Document, FreeText, Role

PLACES = ("doc_id", "doc_paper", "doc_work", "doc_school", "doc_support")


def completed(today: dt.date) -> Progress:
    """Every question answered (the walk of bench.applicants, to the end)."""
    from bench.applicants import _answer

    p = engine.start(INTERVIEW, "ar")
    for _ in range(600):
        if p.cursor.startswith("@"):
            return p
        for event in _answer(INTERVIEW, p, today):
            p = engine.handle(INTERVIEW, p, event, today, Role.APPLICANT).progress
    raise RuntimeError("the interview did not end")


def photo(seed: int) -> bytes:
    from PIL import Image

    noise = Image.effect_noise((750, 1000), 40 + seed).convert("RGB")
    buffer = io.BytesIO()
    noise.resize((3000, 4000)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def letter() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    for page in (1, 2):
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        pdf.multi_cell(0, 6, f"Bescheid, Seite {page}. " + "Lorem ipsum dolor sit amet. " * 80)
    return bytes(pdf.output())


def made(today: dt.date) -> tuple[dict[str, Any], list[tuple[str, str, bytes]]]:
    progress = completed(today)
    answers = dict(progress.answers)
    content: dict[str, bytes] = {}
    for n in range(10):
        kind, mime = ("pdf", "application/pdf") if n in (2, 6) else ("photo", "image/jpeg")
        data = letter() if kind == "pdf" else photo(n)
        file = Attachment(f"file{n}", kind, len(data), mime)
        content[file.id] = data
        place = PLACES[n % len(PLACES)]
        before = answers.get(place)
        earlier = before.files if isinstance(before, Document) else ()
        answers[place] = Document(DocStatus.UPLOADED, (*earlier, file))
    answers["story_week"] = FreeText(("لدي ابن في المدرسة، وهو يحب كرة القدم.",), "ar")
    document = application(INTERVIEW, replace(progress, answers=answers), today)
    order = [a["id"] for a in document["attachments"]]
    files = [(aid, f"attachments/{n}-{aid}", content[aid]) for n, aid in enumerate(order, 1)]
    assert len(files) == 10 and flow.missing(INTERVIEW, answers, today) == []
    return document, files


def measure(repeats: int) -> dict[str, Any]:
    try:
        from secretariat.pdf import render_pdf
    except ImportError as exc:
        return {"available": False, "reason": f"secretariat.pdf: {exc}"}
    document, files = made(dt.date.today())
    size = sum(len(data) for _, _, data in files)
    times = []
    pages = 0
    for _ in range(repeats):
        started = time.perf_counter()
        pdf = render_pdf(document, "LEV-2026-0042", files)
        times.append(time.perf_counter() - started)
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return {"available": True, "first": times[0], "later": statistics.median(times[1:] or times),
            "pages": pages, "attachments": len(files), "attachment_mib": size / 2**20,
            "pdf_mib": len(pdf) / 2**20}


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3)))
