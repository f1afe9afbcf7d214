"""What the bot keeps once it is built (bot.app.settle)."""

from __future__ import annotations

import gc
import weakref

from aiogram.methods import AnswerCallbackQuery, EditMessageText, GetUpdates, SendMessage
from aiogram.methods.base import Response

from bot.app import YOUNG_THRESHOLD, settle


def test_the_response_classes_of_every_update_outlive_a_collection() -> None:
    settle()
    try:
        kept = [weakref.ref(Response[m.__returning__])  # type: ignore[name-defined]
                for m in (GetUpdates, SendMessage, EditMessageText, AnswerCallbackQuery)]
        gc.collect()
        assert all(ref() is not None for ref in kept)  # not built again for the next update
    finally:
        gc.unfreeze()


def test_bursts_of_short_lived_objects_start_no_collection() -> None:
    before = gc.get_threshold()
    settle()
    try:
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
        started: list[int] = []

        def count(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                started.append(info["generation"])

        gc.callbacks.append(count)
        try:
            burst = [{"n": n} for n in range(YOUNG_THRESHOLD // 2)]  # freed by refcounting
            del burst
        finally:
            gc.callbacks.remove(count)
        assert started == []
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
