"""Keyboards carry ids that fit Telegram's 64 bytes, never labels; texts fit a message."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from antragslotse.presenter import Presenter
from antragslotse.profile import load_profile
from antragslotse.settings import PACKAGED_PROFILE
from antragslotse.wiring import renderer
from bot.callbacks import Tap
from bot.files import sniff
from bot.views import LIMIT, View
from dialogs import flow
from dialogs.content import INTERVIEW
from dialogs.progress import REVIEW, Progress
from dialogs.screens import screen
from locales.catalogs import Catalogs
from tests.dialogs.walker import TODAY, walk
from tests.e2e.applicant import JPEG, PDF, VOICE

CATALOGS = Catalogs()
BOARD = load_profile(PACKAGED_PROFILE)
VIEW = View(Presenter(renderer(CATALOGS, BOARD), BOARD))


def every_screen() -> list[Progress]:
    done, _ = walk(INTERVIEW, random.Random(11))
    cursors = [s.path for s in flow.steps(INTERVIEW, done.answers, TODAY)]
    cursors += [REVIEW] + [f"{REVIEW}/{s.id}" for s in INTERVIEW.sections]
    return [replace(done, cursor=c) for c in cursors]


@pytest.mark.parametrize("lang", [x.code for x in CATALOGS.languages])
def test_every_button_fits_and_carries_ids_only(lang: str) -> None:
    for progress in every_screen():
        shown = screen(INTERVIEW, progress, TODAY)
        markup = VIEW.keyboard(shown, lang)
        assert markup is not None, progress.cursor
        for row in markup.inline_keyboard:
            for button in row:
                data = button.callback_data or ""
                assert len(data.encode()) <= 64, data
                tap = Tap.unpack(data)
                assert tap.path == shown.path
                assert button.text not in data
                assert len(button.text) <= 40, button.text


@pytest.mark.parametrize("lang", [x.code for x in CATALOGS.languages])
def test_every_screen_fits_one_message(lang: str) -> None:
    for progress in every_screen():
        shown = screen(INTERVIEW, progress, TODAY)
        text = VIEW.presenter.screen_text(shown, lang)
        assert 0 < len(text) <= LIMIT, progress.cursor


@pytest.mark.parametrize(("data", "expected"), [
    (JPEG, ("photo", "image/jpeg")),
    (PDF, ("pdf", "application/pdf")),
    (VOICE, ("voice", "application/ogg")),
    (b"MZ\x90\x00" + b"\x00" * 100, None),  # a Windows program named photo.jpg
    (b"%PDF-1.4\n" + b"x" * 50, None),  # a PDF cut off before its end
    (b"just some text", None),
    (b"", None),
])
def test_files_are_judged_by_content(data: bytes, expected: tuple[str, str] | None) -> None:
    assert sniff(data) == expected
