"""Unicode hygiene end to end, the same on SQLite and PostgreSQL: what is typed is cleaned once."""

from __future__ import annotations

from dataclasses import replace

from antragslotse.intake import Intake
from dialogs.content import INTERVIEW
from dialogs.inputs import Say
from dialogs.progress import Progress
from dialogs.types import FreeText, Role
from storage.sql import SqlStore
from tests.dialogs.walker import TODAY

TYPED = "Ami\x00ra \u202eHassan\u202c \u2067x\u2069 می\u200cخواهم \u200d"


async def test_nul_and_bidi_overrides_go_joiners_stay(sql: SqlStore) -> None:
    intake = Intake(sql, INTERVIEW, lambda: TODAY, "fa")
    async with sql.unit() as uow:
        await uow.save_draft(uow.new_draft("tg:1", Progress("persons.0.family_name",
                                                            language="fa")))
    await intake.apply("tg:1", Say(TYPED), Role.APPLICANT, 1)
    async with sql.unit() as uow:
        draft = await uow.load_draft("tg:1")
        assert draft is not None
        stored = draft.progress.answers["persons.0.family_name"]
        assert stored == "Amira Hassan x می\u200cخواهم \u200d".strip()
        await uow.save_draft(replace(draft, progress=replace(draft.progress,
                                                             cursor="story_more")))
    await intake.apply("tg:1", Say("\u202aزندگی\u200cام\x00"), Role.APPLICANT, 2)
    async with sql.unit() as uow:
        draft = await uow.load_draft("tg:1")
        assert draft is not None
        assert draft.progress.answers["story_more"] == FreeText(("زندگی\u200cام",), "fa")
