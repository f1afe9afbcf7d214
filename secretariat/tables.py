"""The queue as a table for the terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from storage.ports import Submission

GERMAN = {"new": "neu", "received": "eingegangen", "info_requested": "Nachfrage gestellt",
          "agenda": "auf der Tagesordnung", "recommended": "Empfehlung gegeben",
          "withdrawn": "zurückgezogen"}
RED, BOLD, RESET = "\033[31m", "\033[1m", "\033[0m"
HEADERS = ("Aktenzeichen", "Eingang", "Eilfall", "Status", "Nachträge", "Hinweis")


def colours_wanted() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def queue_table(entries: Sequence[Submission], colour: bool = False) -> str:
    """Urgent first, then oldest first, as the queue lists them; urgent rows red if asked."""
    if not entries:
        return "Keine Anträge in der Warteschlange."
    rows = [
        (
            e.reference,
            e.submitted_at.strftime("%d.%m.%Y %H:%M"),
            "EILT" if e.urgent else "",
            GERMAN.get(e.status, e.status),
            str(e.addenda) if e.addenda else "",
            f"mögliche Wiederholung von {', '.join(e.repeat_of)}" if e.repeat_of else "",
        )
        for e in entries
    ]
    widths = [max(len(r[i]) for r in (HEADERS, *rows)) for i in range(len(HEADERS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
             for r in (HEADERS, *rows)]
    if colour:
        lines[0] = f"{BOLD}{lines[0]}{RESET}"
        lines[1:] = [f"{RED}{line}{RESET}" if e.urgent else line
                     for line, e in zip(lines[1:], entries, strict=True)]
    return "\n".join(lines)
