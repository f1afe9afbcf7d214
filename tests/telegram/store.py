"""Server-side state: chats, messages, files and what the bot showed each chat."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from .markup import inline_buttons, reply_keyboard
from .wire import ApiError, JsonDict, Signal, Upload

MAX_DOWNLOAD = 20 * 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    """A file known to the server, downloadable via getFile + /file/bot<token>/<path>."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes

    def as_file(self) -> JsonDict:
        """The File object getFile returns."""
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "file_size": len(self.data), "file_path": self.file_path}


@dataclass(frozen=True)
class BotMessage:
    """One thing the bot showed a chat: a sent message or an edit of one."""

    kind: Literal["send", "edit"]
    method: str
    chat_id: int
    message_id: int
    text: str
    message: JsonDict
    params: JsonDict
    upload: Upload | None = None

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard rows of (text, callback_data)."""
        return inline_buttons(self.message.get("reply_markup"))

    @property
    def button_texts(self) -> list[str]:
        """All inline button labels, flattened."""
        return [text for row in self.buttons for text, _ in row]

    @property
    def keyboard(self) -> list[list[JsonDict]] | None:
        """Reply keyboard sent with this message ([] = removed, None = untouched)."""
        return reply_keyboard(self.params.get("reply_markup"))

    @property
    def protect_content(self) -> bool:
        """Whether the bot asked Telegram to protect this message's content."""
        return bool(self.params.get("protect_content"))

    @property
    def source(self) -> str:
        """The text/caption exactly as the bot sent it (before HTML parsing)."""
        return str(self.params.get("text", self.params.get("caption", "")))

    @property
    def entities(self) -> list[JsonDict]:
        """Formatting entities of the shown text (or caption)."""
        found = self.message.get("entities") or self.message.get("caption_entities") or []
        return list(found)

    @property
    def parse_mode(self) -> str | None:
        """The parse_mode the bot used."""
        value = self.params.get("parse_mode")
        return str(value) if value else None

    def __str__(self) -> str:
        """A compact one-line rendering for transcripts."""
        extra = f" buttons={self.buttons}" if self.buttons else ""
        media = f" [{self.method}]" if self.upload or self.method not in (
            "sendMessage", "editMessageText", "editMessageReplyMarkup") else ""
        return f"{self.kind} #{self.message_id}{media}: {self.text!r}{extra}"


@dataclass
class ChatLog:
    """Per-chat record of the bot's output."""

    chat: JsonDict
    transcript: list[BotMessage] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    blocked: bool = False
    next_message_id: int = 1


class Store:
    """Chats, messages and files shared by the API handlers and simulated users."""

    def __init__(self, signal: Signal, bot_user: JsonDict) -> None:
        self.signal = signal
        self.bot_user = bot_user
        self.chats: dict[int, ChatLog] = {}
        self.messages: dict[tuple[int, int], JsonDict] = {}
        self.files: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def add_chat(self, chat: JsonDict) -> ChatLog:
        """Register a chat the bot may talk to (idempotent)."""
        log = self.chats.get(chat["id"])
        if log is None:
            log = self.chats[chat["id"]] = ChatLog(chat=chat)
        return log

    def chat_for(self, chat_id: Any, *, sending: bool = False) -> ChatLog:
        """Look up a chat; 400 chat not found, 403 if the user blocked the bot."""
        log = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if log is None:
            raise ApiError(400, "Bad Request: chat not found")
        if sending and log.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return log

    def new_message(self, log: ChatLog, sender: JsonDict, **fields: Any) -> JsonDict:
        """Create and store a Message object with the chat's next message_id."""
        message_id = log.next_message_id
        log.next_message_id += 1
        message = {"message_id": message_id, "from": sender, "chat": log.chat,
                   "date": int(time.time()), **fields}
        self.messages[(log.chat["id"], message_id)] = message
        return message

    def peek(self, chat_id: Any, message_id: Any) -> JsonDict | None:
        """A stored message (possibly deleted) or None."""
        if not isinstance(chat_id, int) or not isinstance(message_id, int):
            return None
        return self.messages.get((chat_id, message_id))

    def message(self, chat_id: Any, message_id: Any, missing: str) -> JsonDict:
        """A stored, non-deleted message or 400 with the given description."""
        found = self.peek(chat_id, message_id)
        if found is None or found.get("_deleted"):
            raise ApiError(400, f"Bad Request: {missing}")
        return found

    def record(self, kind: Literal["send", "edit"], method: str, message: JsonDict,
               params: JsonDict, upload: Upload | None = None) -> BotMessage:
        """Append a bot output to its chat's transcript and wake waiters."""
        chat_id = message["chat"]["id"]
        text = str(message.get("text", message.get("caption", "")))
        shown = BotMessage(kind, method, chat_id, message["message_id"], text,
                           public(message), params, upload)
        self.chats[chat_id].transcript.append(shown)
        self.signal.fire()
        return shown

    def add_file(self, data: bytes, folder: str, extension: str) -> StoredFile:
        """Register bytes as a downloadable file with Telegram-looking identifiers."""
        self._counter += 1
        stored = StoredFile(
            file_id=f"BQACAgIAAxkBAAI{self._counter:05d}{secrets.token_urlsafe(24)}",
            file_unique_id=f"AgAD{self._counter:05d}{secrets.token_urlsafe(4)}",
            file_path=f"{folder}/file_{self._counter}.{extension}",
            data=data,
        )
        self.files[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        """The file served at a download path, if any."""
        return self._by_path.get(path)

    def get_file(self, file_id: Any) -> JsonDict:
        """getFile semantics: 400 for unknown ids and files above 20 MB."""
        stored = self.files.get(str(file_id))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return stored.as_file()


def public(message: JsonDict) -> JsonDict:
    """A message without internal bookkeeping keys."""
    return {key: value for key, value in message.items() if not key.startswith("_")}
