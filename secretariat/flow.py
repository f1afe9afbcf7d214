"""The secretariat's status commands: move an application on, show its audit trail."""

from __future__ import annotations

import asyncio
import datetime as dt

from secretariat.tables import GERMAN
from storage import database, status
from storage.ports import Submission
from storage.queue import list_submissions


def set_status(url: str, reference: str, new: str, actor: str,
               meeting: dt.date | None = None, missing: tuple[str, ...] = ()) -> str:
    """Change the status; the applicant is notified by the bot (through the outbox)."""
    event = asyncio.run(_run(url, lambda e: status.change(e, reference, new, actor, meeting,
                                                          missing=missing)))
    when = f" (Sitzung am {meeting:%d.%m.%Y})" if meeting else ""
    return f"{reference}: {GERMAN[event.status]}{when}, {event.at:%d.%m.%Y %H:%M} UTC, {actor}"


def history(url: str, reference: str) -> str:
    events = asyncio.run(_run(url, lambda e: status.history(e, reference)))
    lines = [f"{e.at:%d.%m.%Y %H:%M}  {GERMAN[e.status]:<22} {e.actor}"
             + (f"  Sitzung {e.meeting:%d.%m.%Y}" if e.meeting else "") for e in events]
    return "\n".join(lines) or f"{reference}: noch keine Statusänderung (neu)"


def filtered(url: str, wanted: str | None, since: dt.date | None) -> list[Submission]:
    entries = asyncio.run(_run(url, list_submissions))
    return [e for e in entries if (wanted is None or e.status == wanted)
            and (since is None or e.submitted_at.date() >= since)]


async def _run(url: str, action):  # type: ignore[no-untyped-def]
    engine = database.create_engine(url)
    try:
        await database.migrate(engine)  # the same code as the bot: bring an older schema up
        return await action(engine)
    finally:
        await engine.dispose()
