"""The queue as a table for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from storage.ports import Submission

GERMAN = {"new": "neu", "received": "eingegangen", "info_requested": "Nachfrage gestellt",
          "agenda": "auf der Tagesordnung", "recommended": "Empfehlung gegeben",
          "withdrawn": "zurückgezogen"}
HEADERS = ("Aktenzeichen", "Eingang", "Eilfall", "Status", "Hinweis")


def queue_table(entries: Sequence[Submission]) -> str:
    """Urgent first, then oldest first, as the queue lists them."""
    if not entries:
        return "Keine Anträge in der Warteschlange."
    rows = [
        (
            e.reference,
            e.submitted_at.strftime("%d.%m.%Y %H:%M"),
            "EILT" if e.urgent else "",
            GERMAN.get(e.status, e.status),
            f"mögliche Wiederholung von {', '.join(e.repeat_of)}" if e.repeat_of else "",
        )
        for e in entries
    ]
    widths = [max(len(r[i]) for r in (HEADERS, *rows)) for i in range(len(HEADERS))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
        for r in (HEADERS, *rows)
    )
