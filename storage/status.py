"""The queue's status flow and its audit trail (no applicant data: references, times, handles)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import outbox
from storage.models import status_events, submissions
from storage.ports import NotFound

NEW, RECEIVED, INFO, AGENDA, RECOMMENDED, WITHDRAWN = (
    "new", "received", "info_requested", "agenda", "recommended", "withdrawn")
NEXT: dict[str, tuple[str, ...]] = {
    NEW: (RECEIVED, WITHDRAWN),
    RECEIVED: (INFO, AGENDA, WITHDRAWN),
    INFO: (RECEIVED, AGENDA, WITHDRAWN),
    AGENDA: (RECOMMENDED, INFO, AGENDA, WITHDRAWN),
    RECOMMENDED: (),
    WITHDRAWN: (),
}
STATUSES = tuple(NEXT)
CLOSED = (RECOMMENDED, WITHDRAWN)  # decided or withdrawn: no Nachtrag, forgotten in time


class InvalidTransition(ValueError):
    """The flow does not allow this change (e.g. a recommendation before the agenda)."""


@dataclass(frozen=True)
class Event:
    status: str
    at: dt.datetime
    actor: str
    meeting: dt.date | None


async def change(engine: AsyncEngine, reference: str, status: str, actor: str,
                 meeting: dt.date | None = None, now: dt.datetime | None = None,
                 missing: tuple[str, ...] = ()) -> Event:
    """Move an application to ``status``, recording who did it and when, in one transaction."""
    if status == AGENDA and meeting is None:
        raise InvalidTransition("putting an application on the agenda needs the meeting date")
    if not actor or len(actor) > 40:
        raise InvalidTransition("give a staff handle of 1–40 characters (--by)")
    now = now or dt.datetime.now(dt.UTC)
    async with engine.begin() as conn:
        current = (await conn.execute(select(submissions.c.status).where(
            submissions.c.reference == reference).with_for_update())).scalar()
        if current is None:
            raise NotFound(f"no application {reference}")
        if status not in NEXT.get(current, ()):
            raise InvalidTransition(f"{reference} is {current!r}; it cannot become {status!r}")
        values: dict[str, object] = {"status": status}
        if current == NEW:
            values["acknowledged_at"] = now
        await conn.execute(update(submissions).where(submissions.c.reference == reference)
                           .values(**values))
        await conn.execute(status_events.insert().values(
            reference=reference, status=status, at=now, actor=actor, meeting=meeting))
        params = {"status": status, "meeting": meeting.isoformat() if meeting else None,
                  "missing": list(missing)}
        await outbox.enqueue(conn, outbox.APPLICANT, "status", reference, params, now)
    return Event(status, now, actor, meeting)


async def history(engine: AsyncEngine, reference: str) -> list[Event]:
    """Every status change of an application, oldest first."""
    query = (select(status_events.c.status, status_events.c.at, status_events.c.actor,
                    status_events.c.meeting)
             .where(status_events.c.reference == reference).order_by(status_events.c.id))
    async with engine.connect() as conn:
        return [Event(*row) for row in await conn.execute(query)]
