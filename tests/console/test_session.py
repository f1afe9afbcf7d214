"""The console runs the same interview and submits to the same queue (SQLite, sealed)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from antragslotse.intake import Intake
from antragslotse.presenter import Presenter
from antragslotse.profile import load_profile
from antragslotse.settings import PACKAGED_PROFILE
from antragslotse.wiring import renderer
from console.session import converse
from dialogs.content import INTERVIEW
from dialogs.inputs import Press, Say, Upload
from dialogs.progress import REVIEW
from locales.catalogs import Catalogs
from secretariat.keys import keygen
from storage import keyfiles, queue
from storage.bootstrap import open_store
from tests.dialogs.walker import TODAY, valid_input
from tests.e2e.applicant import JPEG

OWNER = "console:test"
PASSPHRASE = "console-test-passphrase"


async def test_staff_record_an_application_in_the_console(tmp_path: Path) -> None:
    keygen(tmp_path / "keys", PASSPHRASE)
    photo = tmp_path / "pass.jpg"
    photo.write_bytes(JPEG)
    store = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
                             key_file=tmp_path / "keys.json",
                             recipient_files=[tmp_path / "keys" / "secretariat.pub"])
    intake = Intake(store, INTERVIEW, lambda: TODAY, "de")
    board = load_profile(PACKAGED_PROFILE)
    presenter = Presenter(renderer(Catalogs(), board), board)
    intake.recorded[OWNER] = {"staff": "GS-1", "interpreter": "Dolmetscherin A.",
                              "date": TODAY.isoformat(), "read_back": "no"}
    rng = random.Random(4)
    pending: list[str] = []
    printed: list[str] = []

    async def ask(_: str) -> str:
        if not pending:
            turn = await intake.show(OWNER)
            assert turn is not None and turn.screen is not None
            if turn.screen.path.startswith(REVIEW):
                pending.extend([_number(turn.screen, "submit"), "ja"])  # read back: confirmed
            elif turn.screen.path.startswith("declare_"):
                pending.append(_number(turn.screen, "pick", "yes"))
            else:
                async with store.unit() as uow:
                    draft = await uow.load_draft(OWNER)
                assert draft is not None
                for event in valid_input(draft.progress, INTERVIEW, rng):
                    pending.append(_console(event, turn.screen, photo))
        return pending.pop(0)

    try:
        reference = await converse(intake, presenter, OWNER, "de", ask, printed.append)
        assert reference == f"LEV-{TODAY.year}-0001"
        entries = await queue.list_submissions(store.engine)
        assert [e.reference for e in entries] == [reference]
        _, envelope = await queue.fetch_submission(store.engine, reference)
    finally:
        await store.close()
    key = keyfiles.read_private(tmp_path / "keys" / "secretariat.key", PASSPHRASE)
    parts = queue.open_submission(envelope, key)
    application = json.loads(parts["application.json"])
    assert application["entered_by"] == ["staff"]
    assert application["recorded"] == {"staff": "GS-1", "interpreter": "Dolmetscherin A.",
                                       "date": TODAY.isoformat(), "read_back": "yes"}
    assert JPEG in parts.values()
    assert any("Teil 1 von 11" in text for text in printed)


def _number(screen: object, action: str, value: str = "") -> str:
    buttons = [b for row in screen.buttons for b in row]  # type: ignore[attr-defined]
    index = next(i for i, b in enumerate(buttons)
                 if b.action.value == action and (not value or b.value == value))
    return str(index + 1)


def _console(event: object, screen: object, photo: Path) -> str:
    if isinstance(event, Press):
        return _number(screen, event.action.value, event.value)
    if isinstance(event, Upload):
        return f":file {photo}"
    assert isinstance(event, Say)
    return event.text
