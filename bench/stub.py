"""A Bot API stand-in: each request is serialized as for the wire and answered from canned JSON.

No network: ``make_request`` prepares every field exactly as aiogram's aiohttp session does
(``prepare_value``), records what was sent, and parses a canned response with
``check_response`` — so a reply costs its serialization and parsing, nothing else.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update

TOKEN = "1234567:" + "A" * 35
_MESSAGE = {
    "message_id": 1, "date": 1767225600, "text": "…",
    "chat": {"id": 1, "type": "private"},
    "from": {"id": 1234567, "is_bot": True, "first_name": "Antragslotse"},
}
_CANNED = {
    "sendMessage": json.dumps({"ok": True, "result": _MESSAGE}),
    "editMessageText": json.dumps({"ok": True, "result": _MESSAGE}),
    "editMessageReplyMarkup": json.dumps({"ok": True, "result": _MESSAGE}),
}
_TRUE = json.dumps({"ok": True, "result": True})


class Wire(BaseSession):
    """Records what the bot sent, per chat and in order; answers without a network."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: dict[int, list[str]] = defaultdict(list)  # chat id → texts, in order
        self.calls = 0

    def reset(self) -> None:
        self.sent = defaultdict(list)
        self.calls = 0

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        files: dict[str, Any] = {}
        fields = {key: self.prepare_value(value, bot=bot, files=files)
                  for key, value in method.model_dump(warnings=False).items()}
        name = method.__api_method__
        self.calls += 1
        if name == "sendMessage":
            self.sent[int(fields["chat_id"])].append(fields["text"])
        body = _CANNED.get(name, _TRUE)
        return self.check_response(bot, method, 200, body).result  # type: ignore[return-value]

    async def stream_content(
        self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
        chunk_size: int = 65536, raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("the benchmark downloads nothing")
        yield b""

    async def close(self) -> None:
        return None


def make_bot() -> tuple[Bot, Wire]:
    wire = Wire()
    return Bot(TOKEN, session=wire), wire


def text_update(update_id: int, user_id: int, text: str, language: str = "de") -> dict[str, Any]:
    """A private text message from a user, as getUpdates delivers it (JSON)."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1767225600, "text": text,
            "chat": {"id": user_id, "type": "private", "first_name": "A"},
            "from": {"id": user_id, "is_bot": False, "first_name": "A",
                     "language_code": language},
        },
    }


def parse(batch: Sequence[dict[str, Any]], bot: Bot) -> list[Update]:
    """A batch as the bot's session parses getUpdates: bound to the bot, so the Dispatcher
    need not rebuild each update (it would, through a JSON round trip, for an unbound one)."""
    return [Update.model_validate(raw, context={"bot": bot}) for raw in batch]
