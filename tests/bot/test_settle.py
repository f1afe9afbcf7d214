"""What the bot keeps once it is built (bot.app.settle)."""

from __future__ import annotations

import gc
import weakref

from aiogram.methods import AnswerCallbackQuery, EditMessageText, GetUpdates, SendMessage
from aiogram.methods.base import Response

from bot.app import settle


def test_the_response_classes_of_every_update_outlive_a_collection() -> None:
    settle()
    try:
        kept = [weakref.ref(Response[m.__returning__])  # type: ignore[name-defined]
                for m in (GetUpdates, SendMessage, EditMessageText, AnswerCallbackQuery)]
        gc.collect()
        assert all(ref() is not None for ref in kept)  # not built again for the next update
    finally:
        gc.unfreeze()
