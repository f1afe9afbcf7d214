"""The queue table: urgent first as listed, red on a terminal, plain otherwise."""

from __future__ import annotations

import datetime as dt

from secretariat.tables import RED, queue_table
from storage.ports import Submission

AT = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)


def test_urgent_rows_are_red_only_when_colour_is_wanted() -> None:
    entries = [Submission("LEV-2026-0002", AT, True, "new", ("LEV-2025-0007",)),
               Submission("LEV-2026-0001", AT, False, "agenda")]
    plain = queue_table(entries)
    assert RED not in plain and "EILT" in plain and "auf der Tagesordnung" in plain
    assert "mögliche Wiederholung von LEV-2025-0007" in plain
    coloured = queue_table(entries, colour=True).splitlines()
    assert coloured[1].startswith(RED) and RED not in coloured[2]
    assert queue_table([]) == "Keine Anträge in der Warteschlange."
