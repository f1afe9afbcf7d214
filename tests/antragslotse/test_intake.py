"""The intake service over the reference store: commit first, then confirm; once per update."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

from antragslotse.intake import Intake, Turn
from antragslotse.privacy import Privacy
from dialogs.content import INTERVIEW
from dialogs.content.start import NOTICE_VERSION
from dialogs.inputs import Action, Press, Say
from dialogs.progress import REVIEW
from dialogs.types import Attachment, DocStatus, Document, FreeText, PartialDate, Role
from storage.keys import Keyring
from storage.memory import MemoryStore
from storage.ports import NotFound
from storage.sql import SqlStore
from tests.dialogs.walker import TODAY, walk
from tests.storage.backends import OFFICE, replica, sql_engine

OWNER = "tg:42"


def intake() -> tuple[Intake, MemoryStore]:
    store = MemoryStore()
    return Intake(store, INTERVIEW, lambda: TODAY, "en"), store


async def complete(service: Intake, store: MemoryStore) -> None:
    """Put a finished draft in the store, as if the person had answered everything."""
    progress, _ = walk(INTERVIEW, random.Random(7))
    later = {k: Document(DocStatus.LATER) for k, v in progress.answers.items()
             if isinstance(v, Document)}  # the walker's files were never stored
    answers = {**progress.answers, **later, "declare_true": "yes", "declare_share": "yes",
               "privacy": "agree"}
    async with store.unit() as uow:
        draft = uow.new_draft(OWNER, progress.__class__(REVIEW, answers, language="ar"))
        await uow.save_draft(draft)


async def test_begin_creates_a_draft_in_the_chosen_language() -> None:
    service, _ = intake()
    turn = await service.begin(OWNER, "de", update_id=1)
    assert turn is not None and turn.language == "de" and turn.screen is not None
    assert turn.screen.path == "welcome"
    assert await service.language_of(OWNER) == "de"


async def test_a_repeated_update_id_changes_nothing_and_shows_the_screen_again() -> None:
    service, _ = intake()
    await service.begin(OWNER, "en", update_id=1)
    first = await service.apply(OWNER, Press("welcome", Action.NEXT), Role.APPLICANT, 2)
    again = await service.apply(OWNER, Press("welcome", Action.NEXT), Role.APPLICANT, 2)
    assert first is not None and first.screen is not None and first.screen.path == "privacy"
    assert again is not None and again.screen is not None and again.screen.path == "privacy"
    assert again.notes == ()  # shown again, not applied again
    shown = await service.show(OWNER)
    assert shown is not None and shown.screen is not None and shown.screen.path == "privacy"


async def test_an_answer_given_on_another_replica_meanwhile_is_built_on(tmp_path: Path) -> None:
    """This process's known draft is stale: the answer runs again on the stored one."""
    engine = await sql_engine("sqlite", tmp_path, None)
    store = SqlStore(engine, Keyring.generate(), [OFFICE.public_key()])
    agree = Press("privacy", Action.PICK, "agree")
    async with replica(store) as elsewhere:
        here = Intake(store, INTERVIEW, lambda: TODAY, "en")
        there = Intake(elsewhere, INTERVIEW, lambda: TODAY, "en")
        await here.begin(OWNER, "en", update_id=1)
        await here.apply(OWNER, Press("welcome", Action.NEXT), Role.APPLICANT, 2)
        moved = await there.apply(OWNER, agree, Role.APPLICANT, 3)
        late = await here.apply(OWNER, agree, Role.APPLICANT, 4)  # the same tap, again
        again = await there.apply(OWNER, Press("welcome", Action.NEXT), Role.APPLICANT, 2)
        async with store.unit() as uow:
            draft = await uow.load_draft(OWNER)
    await store.close()
    assert moved is not None and moved.screen is not None and moved.screen.path != "privacy"
    assert late is not None and late.screen == moved.screen
    assert again is not None and again.screen == moved.screen and again.notes == ()
    assert draft is not None and len(draft.progress.consents) == 1 and draft.version == 3


async def test_the_rendering_that_comes_back_is_of_the_committed_turn(tmp_path: Path) -> None:
    """``answer`` renders the turn for the channel; one rendered for a stale known draft
    (while its save was under way) is dropped with it, and the stored draft's is rendered."""
    engine = await sql_engine("sqlite", tmp_path, None)
    store = SqlStore(engine, Keyring.generate(), [OFFICE.public_key()])
    rendered: list[Turn] = []

    def render(turn: Turn) -> str:
        rendered.append(turn)
        return f"reply {len(rendered)}"

    async with replica(store) as elsewhere:
        here = Intake(store, INTERVIEW, lambda: TODAY, "en")
        there = Intake(elsewhere, INTERVIEW, lambda: TODAY, "en")
        await here.begin(OWNER, "en", update_id=1)
        quick = await here.answer(OWNER, Press("welcome", Action.NEXT), Role.APPLICANT, 2, render)
        await there.apply(OWNER, Press("privacy", Action.PICK, "agree"), Role.APPLICANT, 3)
        rendered.clear()
        late = await here.answer(OWNER, Say("too late"), Role.APPLICANT, 4, render)
    await store.close()
    assert quick is not None and quick[1] == "reply 1" and quick[0].screen is not None
    assert quick[0].screen.path == "privacy"
    assert late is not None and late == (rendered[-1], f"reply {len(rendered)}")
    assert late[0].screen is not None and late[0].screen.path != "privacy"


async def test_without_a_draft_there_is_nothing_to_answer() -> None:
    service, _ = intake()
    turn = await service.apply(OWNER, Say("hello"), Role.APPLICANT, 1)
    assert turn is not None and turn.screen is None and not turn.notes


async def test_submit_hands_off_once_and_shreds_the_draft() -> None:
    service, store = intake()
    await complete(service, store)
    sent = await service.apply(OWNER, Press(REVIEW, Action.SUBMIT), Role.APPLICANT, 10)
    again = await service.apply(OWNER, Press(REVIEW, Action.SUBMIT), Role.APPLICANT, 11)
    assert sent is not None and sent.reference == f"LEV-{TODAY.year}-0001"
    assert again is not None and again.reference is None
    assert len(store.submitted()) == 1 and await service.show(OWNER) is None
    assert [s.reference for s in await service.submitted(OWNER)] == [sent.reference]
    application = json.loads(store.submitted()[0].parts["application.json"])
    assert application["language"] == "ar" and application["sections"][0]["entries"]


async def test_helpers_answers_are_recorded_as_a_supporters() -> None:
    service, store = intake()
    await service.begin(OWNER, "en", update_id=1)
    for n, press in enumerate([Press("welcome", Action.NEXT),
                               Press("privacy", Action.PICK, "agree"),
                               Press("role", Action.PICK, "helper")], start=2):
        await service.apply(OWNER, press, Role.APPLICANT, n)
    await service.apply(OWNER, Say("Maria"), Role.APPLICANT, 9)
    async with store.unit() as uow:
        draft = await uow.load_draft(OWNER)
    assert draft is not None
    assert draft.progress.authors["role"] is Role.APPLICANT
    assert draft.progress.authors["helper_name"] is Role.SUPPORTER


async def test_review_opens_from_anywhere_and_delete_erases() -> None:
    service, _ = intake()
    await service.begin(OWNER, "en", update_id=1)
    turn = await service.review(OWNER, 2)
    assert turn is not None and turn.screen is not None and turn.screen.path == REVIEW
    assert await service.delete(OWNER) and await service.show(OWNER) is None
    assert not await service.delete(OWNER)


async def test_consents_are_recorded_with_time_notice_language_and_role() -> None:
    service, store = intake()
    await service.begin(OWNER, "ar", update_id=1, first_message=5)
    await service.apply(OWNER, Press("welcome", Action.NEXT), Role.APPLICANT, 2)
    await service.apply(OWNER, Press("privacy", Action.PICK, "agree"), Role.APPLICANT, 3)
    async with store.unit() as uow:
        draft = await uow.load_draft(OWNER)
    assert draft is not None
    (consent,) = draft.progress.consents
    assert (consent.kind, consent.given, consent.language, consent.by) == (
        "privacy", True, "ar", Role.APPLICANT)
    assert consent.notice == NOTICE_VERSION and consent.at.startswith(str(TODAY.year))
    assert draft.progress.contact == OWNER and draft.progress.first_message == 5


async def test_withdrawing_health_consent_removes_health_answers_and_files() -> None:
    service, store = intake()
    privacy = Privacy(service)
    await service.begin(OWNER, "en", update_id=1)
    async with store.unit() as uow:
        draft = await uow.load_draft(OWNER)
        assert draft is not None
        file_id = await uow.add_attachment(draft, b"%PDF-1.4 certificate %%EOF", "pdf",
                                           "application/pdf")
        note = Document(DocStatus.UPLOADED, (Attachment(file_id, "pdf", 20, "application/pdf"),))
        answers = {"health_consent": "agree", "health_issues": ("illness",),
                   "health_details": FreeText(("asthma",), "en"), "doc_medical": note,
                   "arrival": PartialDate(2016, 3)}
        await uow.save_draft(replace(draft, progress=replace(draft.progress, answers=answers)))
    assert await privacy.withdraw_health(OWNER, Role.APPLICANT)
    async with store.unit() as uow:
        draft = await uow.load_draft(OWNER)
        assert draft is not None
        assert draft.progress.answers == {"health_consent": "skip",
                                          "arrival": PartialDate(2016, 3)}
        assert draft.progress.consents[-1].kind == "health"
        assert not draft.progress.consents[-1].given
        with pytest.raises(NotFound):
            await uow.read_attachment(draft, file_id)
    data = await privacy.my_data(OWNER)
    assert data.language == "en" and data.sections and data.submissions == []
    erased = await privacy.erase(OWNER)
    assert erased is not None and erased.answers == 2 and await privacy.erase(OWNER) is None


async def test_a_nachtrag_goes_to_the_application_it_adds_to() -> None:
    service, store = intake()
    await complete(service, store)
    sent = await service.apply(OWNER, Press(REVIEW, Action.SUBMIT), Role.APPLICANT, 10)
    assert sent is not None and sent.reference is not None
    assert await service.language_of(OWNER) == "ar"  # remembered from the application
    assert await service.begin_addendum("tg:99", sent.reference, "ar", 11) is None  # not theirs
    turn = await service.begin_addendum(OWNER, sent.reference, "ar", 12)
    assert turn is not None and turn.screen is not None and turn.screen.path == "addendum_intro"
    steps = [Press("addendum_intro", Action.NEXT), Say("Ein neuer Arbeitsvertrag"),
             Press("addendum_facts", Action.DONE), Press("addendum_documents", Action.SKIP),
             Press("health_consent", Action.PICK, "agree"), Say("Neue Diagnose"),
             Press("addendum_health", Action.DONE), Press("addendum_medical", Action.LATER),
             Press("addendum_true", Action.PICK, "yes")]
    for n, event in enumerate(steps, start=13):
        turn = await service.apply(OWNER, event, Role.APPLICANT, n)
    assert turn is not None and turn.screen is not None and turn.screen.path == REVIEW
    again = await service.begin_addendum(OWNER, sent.reference, "ar", 30)  # one at a time
    assert again is not None and again.notes and again.screen is not None
    done = await service.apply(OWNER, Press(REVIEW, Action.SUBMIT), Role.APPLICANT, 31)
    assert done is not None and (done.reference, done.addendum) == (sent.reference, 1)
    assert await service.show(OWNER) is None  # the Nachtrag's draft is shredded too
    handed = store.submitted()[0]
    assert handed.entry.addenda == 1
    addendum = json.loads(handed.addenda[0]["addendum.json"])
    assert addendum["addendum_to"] == sent.reference
    entries = addendum["sections"][0]["entries"]
    assert [e["path"] for e in entries] == ["addendum_facts", "addendum_documents",
                                           "health_consent", "addendum_health",
                                           "addendum_medical", "addendum_true"]
    assert [c["kind"] for c in addendum["consents"]] == ["health"]
    assert "Ein neuer Arbeitsvertrag" in json.dumps(entries, ensure_ascii=False)


async def test_a_withdrawn_application_takes_no_nachtrag_and_nothing_typed_is_lost() -> None:
    service, store = intake()
    await complete(service, store)
    sent = await service.apply(OWNER, Press(REVIEW, Action.SUBMIT), Role.APPLICANT, 10)
    assert sent is not None and sent.reference is not None
    await service.begin_addendum(OWNER, sent.reference, "ar", 11)
    for n, event in enumerate([Press("addendum_intro", Action.NEXT), Say("Neu-Marker"),
                               Press("addendum_facts", Action.DONE),
                               Press("addendum_documents", Action.SKIP),
                               Press("health_consent", Action.PICK, "skip"),
                               Press("addendum_true", Action.PICK, "yes")], start=12):
        await service.apply(OWNER, event, Role.APPLICANT, n)
    handed = store.state.submissions[sent.reference]  # the secretariat withdraws it meanwhile
    store.state.submissions[sent.reference] = replace(
        handed, entry=replace(handed.entry, status="withdrawn"))
    refused = await service.apply(OWNER, Press(REVIEW, Action.SUBMIT), Role.APPLICANT, 20)
    assert refused is not None and refused.reference is None and refused.notes
    kept = await service.show(OWNER)
    assert kept is not None and kept.screen is not None and kept.screen.path == REVIEW
    assert store.state.submissions[sent.reference].addenda == ()
    assert await service.delete(OWNER)
    assert await service.begin_addendum(OWNER, sent.reference, "ar", 21) is None
