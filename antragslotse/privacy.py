"""The person's rights in the chat: see everything (/mydata), withdraw consent, erase."""

from __future__ import annotations

from dataclasses import dataclass, replace

from antragslotse.intake import Intake
from dialogs import engine
from dialogs.application import attachments
from dialogs.summary import summary
from dialogs.types import Role, Text
from storage.ports import Submission


@dataclass(frozen=True)
class MyData:
    """What is stored about a person: their draft (readable) and their sent applications."""

    language: str | None
    sections: list[Text]
    submissions: list[Submission]


@dataclass(frozen=True)
class Erased:
    """What deleting removed, to tell the person, and where their chat began."""

    answers: int
    files: int
    first_message: int | None
    language: str


class Privacy:
    """Runs over the same store and interview as the intake."""

    def __init__(self, intake: Intake) -> None:
        self.intake = intake

    async def my_data(self, owner: str) -> MyData:
        async with self.intake.store.unit() as uow:
            draft = await uow.load_draft(owner)
            sent = await uow.submissions_of(owner)
        if draft is None:
            return MyData(None, [], sent)
        interview = self.intake.interview_of(draft.progress)
        sections = summary(interview, draft.progress, self.intake.clock())
        return MyData(draft.progress.language, sections, sent)

    async def erase(self, owner: str) -> Erased | None:
        """Delete the draft, its files and its key at once (crypto-shredding)."""
        async with self.intake.store.unit() as uow:
            draft = await uow.load_draft(owner)
            if draft is None or not await uow.delete_draft(owner):
                return None
        progress = draft.progress
        return Erased(len(progress.answers), len(attachments(progress)),
                      progress.first_message, progress.language)

    async def withdraw_health(self, owner: str, role: Role) -> bool:
        """Take back the health consent: health answers and medical files are removed."""
        async with self.intake.store.unit() as uow:
            draft = await uow.load_draft(owner)
            if draft is None:
                return False
            interview = self.intake.interview_of(draft.progress)
            kept = engine.withdraw_health(interview, draft.progress, role)
            kept = self.intake.record_consent(kept, "health", False, role)
            saved = await uow.save_draft(replace(draft, progress=kept))
            dropped = {a.id for a in attachments(draft.progress)} - {
                a.id for a in attachments(kept)}
            await uow.remove_attachments(saved, sorted(dropped))
        return True
