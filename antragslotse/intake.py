"""The intake service every channel shares: load the draft, run the engine, save, then answer."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from dialogs import engine
from dialogs.application import application, attachments, repeat_key
from dialogs.content import author, is_urgent
from dialogs.content.addendum import ADDENDUM
from dialogs.content.start import NOTICE_VERSION
from dialogs.inputs import Input, Outcome, Upload
from dialogs.model import Interview
from dialogs.progress import Progress
from dialogs.screens import Screen, screen
from dialogs.types import N_, Attachment, Consent, Role, Text, t
from storage import status
from storage.ports import Closed, Conflict, Draft, Store, Submission, UnitOfWork

T = TypeVar("T")
Clock = Callable[[], dt.date]
CLOSED_NOTE = N_("This application is closed: it was withdrawn, or the board has given its "
                 "recommendation. Nothing can be added to it any more. If something important "
                 "has changed, you can start a new application with /start. You can delete "
                 "this draft with /delete.")
Now = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Turn:
    """What to tell the person after one input: notes, then the current screen."""

    language: str
    notes: tuple[Text, ...] = ()
    screen: Screen | None = None
    reference: str | None = None  # set once the application was sent
    addendum: int | None = None  # set once a Nachtrag to ``reference`` was sent


def _unrendered(turn: Turn) -> None:
    return None


class Intake:
    """Runs one input at a time against the stored draft; confirms only what was committed."""

    def __init__(self, store: Store, interview: Interview, clock: Clock, default_language: str,
                 now: Now = utc_now) -> None:
        self.store = store
        self.interview = interview
        self.clock = clock
        self.now = now
        self.default_language = default_language
        self.recorded: dict[str, dict[str, str]] = {}  # owner -> staff, interpreter, date

    async def show(self, owner: str) -> Turn | None:
        """The current screen, or None when there is no draft."""
        async with self.store.unit() as uow:
            draft = await uow.load_draft(owner)
        return None if draft is None else self._turn(draft.progress)

    async def begin(self, owner: str, language: str, update_id: int | None = None,
                    first_message: int | None = None) -> Turn | None:
        """Start a draft in this language, or resume the existing one in it."""
        async with self.store.unit() as uow:
            if not await self._claim(uow, update_id):
                return await self._replay(uow, owner)
            draft = await uow.load_draft(owner)
            if draft is None:
                fresh = replace(engine.start(self.interview, language), contact=owner,
                                first_message=first_message)
                draft = uow.new_draft(owner, fresh)
            progress = replace(draft.progress, language=language)
            await uow.save_draft(replace(draft, progress=progress))
        return self._turn(progress)

    async def apply(
        self, owner: str, event: Input, role: Role, update_id: int | None = None
    ) -> Turn | None:
        """Handle one input; a re-delivered update only shows the current screen again."""
        shown = await self.answer(owner, event, role, update_id, _unrendered)
        return None if shown is None else shown[0]

    async def answer(self, owner: str, event: Input, role: Role, update_id: int | None,
                     render: Callable[[Turn], T]) -> tuple[Turn, T] | None:
        """``apply``, and the turn rendered for the channel.

        An answer to a draft the store knows is rendered while it is written to the disk;
        either way the rendering comes back only once the answer is committed.
        """
        try:
            return await self._apply(owner, event, role, update_id, render)
        except Conflict:  # someone saved in between: run the input again on the new state
            return await self._apply(owner, event, role, update_id, render)

    async def add_file(
        self, owner: str, data: bytes, kind: str, mime: str, role: Role, update_id: int | None
    ) -> Turn | None:
        """Store a file encrypted with the draft's key and hand it to the engine."""
        async with self.store.unit() as uow:
            if not await self._claim(uow, update_id):
                return await self._replay(uow, owner)
            draft = await uow.load_draft(owner)
            if draft is None:
                return Turn(self.default_language, (t(N_("Please send /start first.")),))
            accepts = screen(self.interview_of(draft.progress), draft.progress,
                             self.clock()).accepts
            if ("voice" if kind == "voice" else "file") not in accepts:
                return self._turn(draft.progress, (t(N_("A file does not fit here. Please "
                                                        "answer the question.")),))
            file_id = await uow.add_attachment(draft, data, kind, mime)
            upload = Upload(Attachment(file_id, kind, len(data), mime))
            return await self._step(uow, draft, upload, role)

    async def review(self, owner: str, update_id: int | None = None) -> Turn | None:
        """Open the review of all answers."""
        async with self.store.unit() as uow:
            if not await self._claim(uow, update_id):
                return await self._replay(uow, owner)
            draft = await uow.load_draft(owner)
            if draft is None:
                return Turn(self.default_language, (t(N_("Please send /start first.")),))
            outcome = engine.open_review(draft.progress)
            if outcome.changed:
                await uow.save_draft(replace(draft, progress=outcome.progress))
        return self._turn(outcome.progress)

    async def delete(self, owner: str) -> bool:
        """Erase the draft and its files (crypto-shredding)."""
        async with self.store.unit() as uow:
            return await uow.delete_draft(owner)

    async def begin_addendum(self, owner: str, reference: str, language: str,
                             update_id: int | None = None,
                             first_message: int | None = None) -> Turn | None:
        """Start a Nachtrag to one of the owner's open applications (or show the current draft).

        None if ``reference`` is not an open application of this owner.
        """
        async with self.store.unit() as uow:
            if not await self._claim(uow, update_id):
                return await self._replay(uow, owner)
            draft = await uow.load_draft(owner)
            if draft is not None:  # an application or a Nachtrag is under way: finish it first
                note = N_("You are in the middle of something. Please finish it first, or "
                          "delete it with /delete.")
                return self._turn(draft.progress, (t(note),))
            if reference not in {s.reference for s in await self.open_applications(owner, uow)}:
                return None
            fresh = replace(engine.start(ADDENDUM, language), contact=owner, addendum_to=reference,
                            first_message=first_message)
            await uow.save_draft(uow.new_draft(owner, fresh))
        return self._turn(fresh)

    async def open_applications(self, owner: str, uow: UnitOfWork | None = None
                                ) -> list[Submission]:
        """Sent applications a Nachtrag can still go to: not withdrawn, not yet decided."""
        if uow is None:
            async with self.store.unit() as own:
                return await self.open_applications(owner, own)
        return [s for s in await uow.submissions_of(owner) if s.status not in status.CLOSED]

    def interview_of(self, progress: Progress) -> Interview:
        """The application's interview, or the Nachtrag's."""
        return ADDENDUM if progress.addendum_to is not None else self.interview

    async def language_of(self, owner: str) -> str | None:
        """The language of the draft, else of the latest application sent."""
        async with self.store.unit() as uow:
            draft = await uow.load_draft(owner)
            if draft is not None:
                return draft.progress.language
            sent = await uow.submissions_of(owner)
        return next((s.language for s in reversed(sent) if s.language), None)

    async def submitted(self, owner: str) -> list[Submission]:
        async with self.store.unit() as uow:
            return await uow.submissions_of(owner)

    async def _apply(self, owner: str, event: Input, role: Role, update_id: int | None,
                     render: Callable[[Turn], T]) -> tuple[Turn, T] | None:
        if update_id is not None:
            shown = await self._quick(owner, event, role, update_id, render)
            if shown is not None:
                return shown
        turn = await self._full(owner, event, role, update_id)
        return None if turn is None else (turn, render(turn))

    async def _full(
        self, owner: str, event: Input, role: Role, update_id: int | None
    ) -> Turn | None:
        async with self.store.unit() as uow:
            if not await self._claim(uow, update_id):
                return await self._replay(uow, owner)
            draft = await uow.load_draft(owner)
            if draft is None:
                return None if update_id is None else Turn(self.default_language)
            return await self._step(uow, draft, event, role)

    async def _quick(self, owner: str, event: Input, role: Role, update_id: int,
                     render: Callable[[Turn], T]) -> tuple[Turn, T] | None:
        """An answer that changes a draft the store knows, saved with its claim in one go,
        the next screen rendered while the disk works.

        None if this does not fit (unknown or stale draft, a re-delivery, nothing to save,
        the application to send): the full unit runs the input instead.
        """
        draft = self.store.known(owner)
        if draft is None:
            return None
        outcome, progress = self._decide(draft, event, role, self.clock())
        if outcome.submit or not outcome.changed:
            return None

        def shown() -> tuple[Turn, T]:
            turn = self._turn(progress, outcome.notes)
            return turn, render(turn)

        saved = await self.store.save_answer(replace(draft, progress=progress), update_id, shown)
        return None if saved is None else saved[1]

    async def _step(self, uow: UnitOfWork, draft: Draft, event: Input, role: Role) -> Turn:
        today = self.clock()
        outcome, progress = self._decide(draft, event, role, today)
        if outcome.submit:
            return await self._submit(uow, draft, today)
        if outcome.changed:
            await uow.save_draft(replace(draft, progress=progress))
        return self._turn(progress, outcome.notes)

    def _decide(self, draft: Draft, event: Input, role: Role, today: dt.date
                ) -> tuple[Outcome, Progress]:
        """The engine's outcome for this input, and the progress to keep (consents noted)."""
        role = author(dict(draft.progress.answers), role)
        outcome = engine.handle(self.interview_of(draft.progress), draft.progress, event, today,
                                role)
        progress = outcome.progress
        if outcome.consent is not None:
            progress = self.record_consent(progress, *outcome.consent, role)
        return outcome, progress

    def record_consent(self, progress: Progress, kind: str, given: bool, role: Role) -> Progress:
        """Note what was agreed to, when, to which notice, in which language, by whom."""
        stamp = Consent(kind, given, self.now().isoformat(timespec="seconds"), NOTICE_VERSION,
                        progress.language, role)
        return replace(progress, consents=(*progress.consents, stamp))

    async def _submit(self, uow: UnitOfWork, draft: Draft, today: dt.date) -> Turn:
        progress = draft.progress
        if progress.addendum_to is not None:
            return await self._submit_addendum(uow, draft, progress.addendum_to, today)
        document = application(self.interview, progress, today)
        if draft.owner in self.recorded:  # recorded in person (zur Niederschrift)
            document["recorded"] = self.recorded.pop(draft.owner)
        payload = json.dumps(document, ensure_ascii=False).encode()
        files = [a.id for a in attachments(progress)]
        urgent = is_urgent(dict(progress.answers), today)
        reference = await uow.submit(draft, payload, files, urgent, repeat_key(progress))
        return Turn(progress.language, reference=reference)

    async def _submit_addendum(self, uow: UnitOfWork, draft: Draft, reference: str,
                               today: dt.date) -> Turn:
        progress = draft.progress
        document = {**application(ADDENDUM, progress, today), "addendum_to": reference}
        payload = json.dumps(document, ensure_ascii=False).encode()
        files = [a.id for a in attachments(progress)]
        try:
            number = await uow.add_addendum(draft, reference, payload, files)
        except Closed:  # withdrawn or decided meanwhile: the draft stays, nothing is lost
            return self._turn(progress, (t(CLOSED_NOTE),))
        return Turn(progress.language, reference=reference, addendum=number)

    async def _replay(self, uow: UnitOfWork, owner: str) -> Turn | None:
        """A re-delivered update: show the current screen again, change nothing.

        The first delivery was committed, but its reply may have been lost in a crash.
        """
        draft = await uow.load_draft(owner)
        return None if draft is None else self._turn(draft.progress)

    async def _claim(self, uow: UnitOfWork, update_id: int | None) -> bool:
        return update_id is None or await uow.claim_update(update_id)

    def _turn(self, progress: Progress, notes: tuple[Text, ...] = ()) -> Turn:
        shown = screen(self.interview_of(progress), progress, self.clock())
        return Turn(progress.language, notes, shown)
