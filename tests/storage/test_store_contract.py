"""One contract, every store: memory, SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from dialogs.progress import Progress
from dialogs.types import (
    Attachment,
    DocStatus,
    Document,
    FreeText,
    PartialDate,
    Role,
    Special,
)
from storage import queue
from storage.models import attachments, drafts, processed_updates
from storage.ports import Conflict, Draft, NotFound, Store
from storage.sql import SqlStore
from tests.storage.backends import OFFICE, RECOVERY, Backend

YEAR = datetime.now(UTC).year
PROGRESS = (
    Progress("children.0.name", history=("start", "name"), language="fa")
    .with_answer("name", "Zzyzx-Marker-4711", Role.APPLICANT)
    .with_answer("birth", PartialDate(1988, 2), Role.SUPPORTER)
    .with_answer("count", 3, Role.APPLICANT)
    .with_answer("phone", Special.DECLINED, Role.APPLICANT)
    .with_answer("langs", ("fa", "de"), Role.APPLICANT)
    .with_answer(
        "story", FreeText(("سلام", Attachment("v1", "voice", 9, "audio/ogg")), "fa"), Role.APPLICANT
    )
    .with_answer("passport", Document(DocStatus.LATER), Role.STAFF)
)


async def saved(store: Store, owner: str, progress: Progress = PROGRESS) -> Draft:
    """A draft stored in its own unit."""
    async with store.unit() as unit:
        return await unit.save_draft(unit.new_draft(owner, progress))


async def test_save_load_round_trip(backend: Backend) -> None:
    draft = await saved(backend.store, "tg:1")
    async with backend.store.unit() as unit:
        loaded = await unit.load_draft("tg:1")
        assert await unit.load_draft("tg:2") is None
    assert draft.version == 1
    assert loaded == draft


async def test_save_bumps_version_and_stale_save_conflicts(backend: Backend) -> None:
    first = await saved(backend.store, "tg:1")
    async with backend.store.unit() as unit:
        second = await unit.save_draft(Draft(first.id, "tg:1", 1, Progress("next")))
    assert second.version == 2
    with pytest.raises(Conflict):
        async with backend.store.unit() as unit:
            await unit.save_draft(first)
    async with backend.store.unit() as unit:
        assert await unit.load_draft("tg:1") == second


async def test_concurrent_first_saves_for_one_owner_conflict(backend: Backend) -> None:
    results = await asyncio.gather(
        saved(backend.store, "tg:1", Progress("a")),
        saved(backend.store, "tg:1", Progress("b")),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    winner = next(r for r in results if isinstance(r, Draft))
    async with backend.store.unit() as unit:
        assert await unit.load_draft("tg:1") == winner


async def test_claim_update_dedupes_across_units(backend: Backend) -> None:
    async with backend.store.unit() as unit:
        assert await unit.claim_update(1001) is True
        assert await unit.claim_update(1001) is False
    async with backend.store.unit() as unit:
        assert await unit.claim_update(1001) is False
        assert await unit.claim_update(1002) is True


async def test_a_known_draft_is_saved_with_its_claim(backend: Backend) -> None:
    store = backend.store
    first = await saved(store, "tg:1")
    known = store.known("tg:1")
    assert known == first and store.known("tg:2") is None
    rendered: list[Draft | None] = []

    def render() -> str:  # runs before the save is confirmed; what it made comes back
        rendered.append(store.known("tg:1"))
        return "the next question"

    answered = Draft(first.id, "tg:1", 2, Progress("next"))
    assert await store.save_answer(Draft(first.id, "tg:1", 1, Progress("next")), 2001,
                                   render) == (answered, "the next question")
    assert len(rendered) == 1
    assert store.known("tg:1") == answered
    async with store.unit() as unit:
        assert await unit.load_draft("tg:1") == answered
        assert await unit.claim_update(2001) is False  # claimed in the same transaction


async def test_a_quick_answer_to_a_processed_update_writes_nothing(backend: Backend) -> None:
    store = backend.store
    first = await saved(store, "tg:1")
    async with store.unit() as unit:
        assert await unit.claim_update(2001)
    assert await store.save_answer(Draft(first.id, "tg:1", 1, Progress("again")), 2001,
                                   lambda: "dropped") is None
    async with store.unit() as unit:
        assert await unit.load_draft("tg:1") == first


async def test_a_quick_answer_to_a_moved_on_draft_claims_nothing(backend: Backend) -> None:
    store = backend.store
    first = await saved(store, "tg:1")
    async with store.unit() as unit:
        second = await unit.save_draft(Draft(first.id, "tg:1", 1, Progress("elsewhere")))
    assert await store.save_answer(Draft(first.id, "tg:1", 1, Progress("stale")), 2001,
                                   lambda: "dropped") is None
    async with store.unit() as unit:
        assert await unit.load_draft("tg:1") == second
        assert await unit.claim_update(2001) is True  # free for the full unit


async def test_attachments_round_trip(backend: Backend) -> None:
    draft = await saved(backend.store, "tg:1")
    other = await saved(backend.store, "tg:2")
    async with backend.store.unit() as unit:
        pdf = await unit.add_attachment(draft, b"%PDF-1.7 Zzyzx", "pdf", "application/pdf")
        photo = await unit.add_attachment(
            draft, b"\xff\xd8\xff" + bytes(300), "photo", "image/jpeg"
        )
    async with backend.store.unit() as unit:
        assert await unit.read_attachment(draft, pdf) == b"%PDF-1.7 Zzyzx"
        assert await unit.read_attachment(draft, photo) == b"\xff\xd8\xff" + bytes(300)
        for owner_draft, attachment_id in ((other, pdf), (draft, "nope")):
            with pytest.raises(NotFound):
                await unit.read_attachment(owner_draft, attachment_id)
        with pytest.raises(NotFound):
            await unit.add_attachment(unit.new_draft("tg:3", PROGRESS), b"x", "pdf", "x/y")


async def test_delete_draft_removes_draft_and_attachments(backend: Backend) -> None:
    draft = await saved(backend.store, "tg:1")
    keep = await saved(backend.store, "tg:2")
    async with backend.store.unit() as unit:
        attachment_id = await unit.add_attachment(draft, b"data", "pdf", "application/pdf")
        await unit.add_attachment(keep, b"data", "pdf", "application/pdf")
    async with backend.store.unit() as unit:
        assert await unit.delete_draft("tg:1") is True
        assert await unit.delete_draft("tg:1") is False
    async with backend.store.unit() as unit:
        assert await unit.load_draft("tg:1") is None
        with pytest.raises(NotFound):
            await unit.read_attachment(draft, attachment_id)
        assert await unit.load_draft("tg:2") == keep
    if backend.engine is not None:
        assert await count(backend, drafts) == 1
        assert await count(backend, attachments) == 1


async def count(backend: Backend, table: object) -> int:
    """Rows in an SQL table."""
    assert backend.engine is not None
    async with backend.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def test_submit_numbers_references_and_shreds_the_draft(backend: Backend) -> None:
    first = await saved(backend.store, "tg:1")
    second = await saved(backend.store, "tg:2")
    async with backend.store.unit() as unit:
        photo = await unit.add_attachment(first, b"\xff\xd8\xffphoto", "photo", "image/jpeg")
    async with backend.store.unit() as unit:
        ref1 = await unit.submit(first, b'{"a": 1}', [photo], urgent=False)
    async with backend.store.unit() as unit:
        ref2 = await unit.submit(second, b'{"a": 2}', [], urgent=True)
    assert (ref1, ref2) == (f"LEV-{YEAR}-0001", f"LEV-{YEAR}-0002")
    async with backend.store.unit() as unit:
        assert await unit.load_draft("tg:1") is None
        assert [s.reference for s in await unit.submissions_of("tg:1")] == [ref1]
        assert [s.reference for s in await unit.submissions_of("tg:2")] == [ref2]
        assert await unit.submissions_of("tg:3") == []
        with pytest.raises(NotFound):
            await unit.read_attachment(first, photo)
    with pytest.raises(Conflict):
        async with backend.store.unit() as unit:
            await unit.submit(first, b'{"a": 1}', [photo], urgent=False)
    if isinstance(backend.store, SqlStore):
        await check_sealed(
            backend.store,
            ref1,
            {"application.json": b'{"a": 1}', f"attachments/{photo}": b"\xff\xd8\xffphoto"},
        )


async def check_sealed(store: SqlStore, reference: str, expected: dict[str, bytes]) -> None:
    """Both recipients can open the submission; the store itself keeps no plaintext."""
    _, envelope = await queue.fetch_submission(store.engine, reference)
    for key in (OFFICE, RECOVERY):
        assert queue.open_submission(envelope, key) == expected


async def test_submit_with_a_stale_version_conflicts(backend: Backend) -> None:
    draft = await saved(backend.store, "tg:1")
    async with backend.store.unit() as unit:
        await unit.save_draft(draft)
    with pytest.raises(Conflict):
        async with backend.store.unit() as unit:
            await unit.submit(draft, b"{}", [], urgent=False)
    async with backend.store.unit() as unit:
        assert await unit.submissions_of("tg:1") == []


async def test_double_tap_submits_one_application(backend: Backend) -> None:
    draft = await saved(backend.store, "tg:1")

    async def tap() -> str:
        async with backend.store.unit() as unit:
            return await unit.submit(draft, b"{}", [], urgent=False)

    results = await asyncio.gather(tap(), tap(), return_exceptions=True)
    assert sorted(map(type, results), key=str) == sorted([str, Conflict], key=str)
    assert f"LEV-{YEAR}-0001" in results


async def test_concurrent_submissions_get_distinct_numbers(backend: Backend) -> None:
    owners = [f"tg:{n}" for n in range(6)]
    pending = [await saved(backend.store, owner) for owner in owners]

    async def submit(draft: Draft) -> str:
        async with backend.store.unit() as unit:
            return await unit.submit(draft, b"{}", [], urgent=False)

    references = await asyncio.gather(*map(submit, pending))
    assert sorted(references) == [f"LEV-{YEAR}-{n:04d}" for n in range(1, 7)]


async def test_rollback_inside_a_unit_leaves_nothing(backend: Backend) -> None:
    kept = await saved(backend.store, "tg:2")
    with pytest.raises(RuntimeError):
        async with backend.store.unit() as unit:
            assert await unit.claim_update(7) is True
            draft = await unit.save_draft(unit.new_draft("tg:1", PROGRESS))
            await unit.add_attachment(draft, b"data", "pdf", "application/pdf")
            await unit.submit(kept, b"{}", [], urgent=False)
            raise RuntimeError("handler failed")
    async with backend.store.unit() as unit:
        assert await unit.claim_update(7) is True
        assert await unit.load_draft("tg:1") is None
        assert await unit.load_draft("tg:2") == kept
        assert await unit.submissions_of("tg:2") == []
    if backend.engine is not None:
        assert await count(backend, attachments) == 0
        assert await count(backend, processed_updates) == 1


async def test_a_repeat_case_is_hinted_without_plain_text(backend: Backend) -> None:
    store = backend.store
    refs = []
    for owner in ("tg:1", "tg:2", "tg:3"):
        async with store.unit() as unit:
            draft = await unit.save_draft(unit.new_draft(owner, Progress("welcome")))
            key = "amira zuhra|1990-03-14" if owner != "tg:2" else "ali zuhra|2017-09-02"
            refs.append(await unit.submit(draft, b"{}", [], False, key))
    if backend.engine is not None:
        listed = {s.reference: s.repeat_of for s in await queue.list_submissions(backend.engine)}
        assert listed == {refs[0]: (), refs[1]: (), refs[2]: (refs[0],)}
        async with backend.engine.connect() as conn:
            raw = (await conn.exec_driver_sql("SELECT repeat_hash FROM submissions")).all()
        assert all(b"amira" not in bytes(r[0]) for r in raw)
    else:
        async with store.unit() as unit:
            assert (await unit.submissions_of("tg:3"))[0].repeat_of == (refs[0],)


async def test_an_addendum_is_sealed_to_its_own_application(backend: Backend) -> None:
    reference = await submit(backend.store, "tg:1")
    other = await submit(backend.store, "tg:2")
    first = await saved(backend.store, "tg:1")
    async with backend.store.unit() as unit:
        letter = await unit.add_attachment(first, b"%PDF-1.4 letter", "document", "application/pdf")
    with pytest.raises(NotFound):  # someone else's application
        async with backend.store.unit() as unit:
            await unit.add_addendum(first, other, b'{"n": 0}', [])
    async with backend.store.unit() as unit:
        assert await unit.add_addendum(first, reference, b'{"n": 1}', [letter]) == 1
        assert await unit.load_draft("tg:1") is None  # shredded like an application's draft
    with pytest.raises(Conflict):  # a second tap on "send"
        async with backend.store.unit() as unit:
            await unit.add_addendum(first, reference, b'{"n": 1}', [letter])
    second = await saved(backend.store, "tg:1")
    async with backend.store.unit() as unit:
        assert await unit.add_addendum(second, reference, b'{"n": 2}', []) == 2
        mine = {s.reference: s.addenda for s in await unit.submissions_of("tg:1")}
        assert mine == {reference: 2}  # what /mydata tells the person
    if isinstance(backend.store, SqlStore):
        found = await queue.fetch_addenda(backend.store.engine, reference)
        assert [a.number for a in found] == [1, 2]
        for key in (OFFICE, RECOVERY):
            assert queue.open_submission(found[0].envelope, key) == {
                "addendum.json": b'{"n": 1}', f"attachments/{letter}": b"%PDF-1.4 letter"}
        listed = {s.reference: s.addenda for s in await queue.list_submissions(
            backend.store.engine)}
        assert listed == {reference: 2, other: 0}
        assert await queue.fetch_addenda(backend.store.engine, other) == []


async def submit(store: Store, owner: str) -> str:
    draft = await saved(store, owner)
    async with store.unit() as unit:
        return await unit.submit(draft, b"{}", [], urgent=False)
