"""Message filters: typed answers and commands never overlap."""

from __future__ import annotations

import datetime as dt

import pytest
from aiogram.types import Chat, Message

from bot import filters


def message(text: str) -> Message:
    return Message(message_id=1, date=dt.datetime.now(dt.UTC), chat=Chat(id=1, type="private"),
                   text=text)


@pytest.mark.parametrize(("text", "is_command"), [
    ("/mydata", True), ("  /mydata", True), ("Amira", False), ("a/b", False), ("", False)])
async def test_a_text_is_either_a_command_or_an_answer(text: str, is_command: bool) -> None:
    typed = message(text)
    assert await filters.command(typed) is is_command
    assert await filters.answer(typed) is not is_command
