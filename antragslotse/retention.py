"""The retention schedule: remind, warn, delete idle drafts; purge what is no longer needed.

Every step is claimed in the database before a message goes out, so several replicas (or a
restart half-way) never send a notice twice, and nothing is lost across restarts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from antragslotse.profile import Profile
from dialogs.types import N_, PartialDate, Text, Verbatim, t
from storage.retention import Idle, Janitor

REMINDED, WARNED = 1, 2
UPDATE_IDS_KEPT = dt.timedelta(hours=48)
REMINDER = N_("Hello again! Your application is not finished yet. Your answers are saved "
              "until {date}. Send /start to go on, or /delete to delete everything.")
WARNING = N_("Your unfinished application will be deleted on {date}, because it was not "
             "used for a long time. Send /start to keep it, or /delete to delete it now.")
EXPIRED = N_("Your unfinished application was deleted, because it was not used for {days} "
             "days. You can start again at any time with /start.")
# A Nachtrag's draft: the application that was sent is not touched, and the texts say so.
FOR_ADDENDUM = {
    REMINDER: N_("Hello again! Your addition to the application {reference} is not finished "
                 "yet. It is saved until {date}. Send /start to go on, or /delete to delete "
                 "it."),
    WARNING: N_("Your unfinished addition will be deleted on {date}, because it was not used "
                "for a long time. Your application {reference} stays as it was sent. Send "
                "/start to keep the addition, or /delete to delete it now."),
    EXPIRED: N_("Your unfinished addition was deleted, because it was not used for {days} "
                "days. Your application {reference} stays as it was sent. You can start a new "
                "addition with /add."),
}


@dataclass(frozen=True)
class Notice:
    """A message for a person: where to send it, in which language, what."""

    contact: str
    language: str
    text: Text


class Schedule:
    def __init__(self, janitor: Janitor, profile: Profile) -> None:
        self.janitor = janitor
        self.profile = profile

    async def sweep(self, now: dt.datetime) -> list[Notice]:
        """One pass: returns the notices to send (each already claimed)."""
        keep = dt.timedelta(days=self.profile.draft_days)
        notices = [n for d in await self.janitor.idle(now - keep, below_notice=99)
                   if await self.janitor.expire(d) for n in self._notice(d, EXPIRED, None)]
        warn_at = keep - dt.timedelta(days=self.profile.warning_days)
        for draft in await self.janitor.idle(now - warn_at, below_notice=WARNED):
            if await self.janitor.mark(draft, WARNED):
                notices += self._notice(draft, WARNING, draft.updated_at + keep)
        remind_at = dt.timedelta(days=self.profile.reminder_days)
        for draft in await self.janitor.idle(now - remind_at, below_notice=REMINDED):
            if await self.janitor.mark(draft, REMINDED):
                notices += self._notice(draft, REMINDER, draft.updated_at + keep)
        await self.janitor.forget_updates(now - UPDATE_IDS_KEPT)
        held = now - dt.timedelta(days=self.profile.acknowledged_days)
        await self.janitor.purge_sealed(held)
        await self.janitor.drop_closed(held)
        return notices

    def _notice(self, draft: Idle, msgid: str, until: dt.datetime | None) -> list[Notice]:
        progress = draft.progress
        if progress.contact is None:
            return []
        date = PartialDate(until.year, until.month, until.day) if until else ""
        if progress.addendum_to is not None:
            text = t(FOR_ADDENDUM[msgid], date=date, days=self.profile.draft_days,
                     reference=Verbatim(progress.addendum_to))
        else:
            text = t(msgid, date=date, days=self.profile.draft_days)
        return [Notice(progress.contact, progress.language, text)]
