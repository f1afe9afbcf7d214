"""Simulated Telegram users: they produce updates and watch what the bot shows them."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .chats import Chat
from .markup import command_entities, inline_buttons
from .store import BotMessage, public
from .wire import JsonDict

if TYPE_CHECKING:
    from .server import BotAPIServer

_query_ids = itertools.count(4_000_000_000_000_000_001)
STICKER_BYTES = b"RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00fake-sticker!!"
MessageRef = BotMessage | JsonDict | int


@dataclass(frozen=True)
class Sent:
    """An update a simulated user produced."""

    update: JsonDict

    @property
    def update_id(self) -> int:
        """The update's id."""
        return int(self.update["update_id"])

    @property
    def message(self) -> JsonDict | None:
        """The user's message (for message/edited_message updates)."""
        found = self.update.get("message") or self.update.get("edited_message")
        return found if isinstance(found, dict) else None

    @property
    def message_id(self) -> int | None:
        """The user's message_id, if the update carries a message."""
        return None if self.message is None else int(self.message["message_id"])

    @property
    def query_id(self) -> str | None:
        """The callback query id, for clicks."""
        query = self.update.get("callback_query")
        return None if query is None else str(query["id"])


class User(Chat):
    """A private-chat user; every send_* enqueues a realistic update."""

    def __init__(self, server: BotAPIServer, user_id: int, first_name: str,
                 language_code: str | None, *, last_name: str | None = None,
                 username: str | None = None, phone: str = "+4915100000000") -> None:
        self.phone = phone
        self.from_user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        self.chat: JsonDict = {"id": user_id, "first_name": first_name, "type": "private"}
        for key, value in (("last_name", last_name), ("username", username)):
            if value:
                self.from_user[key] = self.chat[key] = value
        if language_code:
            self.from_user["language_code"] = language_code
        super().__init__(server, server.store.add_chat(self.chat))

    # ----- sending -------------------------------------------------------------

    def send_raw(self, **fields: Any) -> Sent:
        """Send a message with arbitrary content fields (text, video_note, poll, ...)."""
        message = self.server.store.new_message(self.log, self.from_user, **fields)
        return Sent(self.server.enqueue({"message": public(message)}))

    def compose_text(self, text: str) -> JsonDict:
        """A text message update that is not queued: to post it by hand (webhook tests)."""
        message = self.server.store.new_message(self.log, self.from_user, text=text)
        return self.server.compose({"message": public(message)})

    def send_text(self, text: str, reply_to: MessageRef | None = None) -> Sent:
        """Send a text message (bot_command entities detected like Telegram does)."""
        fields: JsonDict = {"text": text}
        if entities := command_entities(text):
            fields["entities"] = entities
        if reply_to is not None:
            fields["reply_to_message"] = self._current(reply_to)
        return self.send_raw(**fields)

    def send_command(self, command: str, args: str = "") -> Sent:
        """Send '/command args'."""
        if not command.startswith("/"):
            command = f"/{command}"
        return self.send_text(f"{command} {args}".strip())

    def send_photo(self, data: bytes, width: int = 1280, height: int = 960,
                   caption: str | None = None) -> Sent:
        """Send a photo as Telegram does: several PhotoSizes, each downloadable."""
        sizes = []
        for side in sorted({s for s in (90, 320, 800, 1280) if s < max(width, height)}
                           | {max(width, height)}):
            scale = side / max(width, height)
            stored = self.server.store.add_file(data, "photos", "jpg")
            sizes.append({"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                          "width": max(round(width * scale), 1),
                          "height": max(round(height * scale), 1), "file_size": len(data)})
        return self.send_raw(photo=sizes, **({"caption": caption} if caption else {}))

    def send_document(self, data: bytes, file_name: str = "document.pdf",
                      mime_type: str = "application/pdf", caption: str | None = None) -> Sent:
        """Send a file as a document."""
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = self.server.store.add_file(data, "documents", extension)
        document = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                    "file_name": file_name, "mime_type": mime_type, "file_size": len(data)}
        return self.send_raw(document=document, **({"caption": caption} if caption else {}))

    def send_voice(self, data: bytes, duration: int = 3) -> Sent:
        """Send a voice note."""
        stored = self.server.store.add_file(data, "voice", "oga")
        return self.send_raw(voice={"file_id": stored.file_id, "duration": duration,
                                    "file_unique_id": stored.file_unique_id,
                                    "mime_type": "audio/ogg", "file_size": len(data)})

    def send_sticker(self, emoji: str = "👍") -> Sent:
        """Send a static sticker."""
        stored = self.server.store.add_file(STICKER_BYTES, "stickers", "webp")
        return self.send_raw(sticker={
            "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "type": "regular", "width": 512, "height": 512, "is_animated": False,
            "is_video": False, "emoji": emoji, "set_name": "TestPack",
            "file_size": len(STICKER_BYTES)})

    def send_location(self, latitude: float, longitude: float) -> Sent:
        """Share a location."""
        return self.send_raw(location={"latitude": latitude, "longitude": longitude})

    def send_contact(self, phone: str | None = None, first_name: str | None = None,
                     user_id: int | None = None) -> Sent:
        """Share a contact (by default the user's own, as request_contact does)."""
        own = phone is None
        contact: JsonDict = {"phone_number": phone or self.phone,
                             "first_name": first_name or self.from_user["first_name"]}
        if own or user_id is not None:
            contact["user_id"] = user_id or self.id
        return self.send_raw(contact=contact)

    def edit_text(self, sent: Sent, text: str) -> Sent:
        """Edit one of the user's text messages (an edited_message update)."""
        assert sent.message is not None, "only messages can be edited"
        message = self.server.store.messages[(self.id, sent.message["message_id"])]
        message.update(text=text, edit_date=int(time.time()))
        return Sent(self.server.enqueue({"edited_message": public(message)}))

    def click(self, message: MessageRef, callback_data: str) -> Sent:
        """Press an inline button with arbitrary callback_data on a bot message."""
        query_id = str(next(_query_ids))
        self.server.methods.open_queries.add(query_id)
        return Sent(self.server.enqueue({"callback_query": {
            "id": query_id, "from": self.from_user, "message": self._current(message),
            "chat_instance": str(-7_000_000_000_000_000_000 - self.id), "data": callback_data,
        }}))

    def click_button(self, message: MessageRef, label: str) -> Sent:
        """Press the inline button whose text equals or contains `label` (current state)."""
        current = self._current(message)
        buttons = [b for row in inline_buttons(current.get("reply_markup")) for b in row]
        matches = [b for b in buttons if b[0] == label] or [
            b for b in buttons if label.casefold() in b[0].casefold()]
        if len(matches) != 1:
            raise AssertionError(f"{len(matches)} buttons match {label!r} on message "
                                 f"#{current['message_id']}; buttons: {[b[0] for b in buttons]}")
        text, data = matches[0]
        if data is None:
            raise AssertionError(f"button {text!r} has no callback_data")
        return self.click(current, data)

    def press_key(self, label: str) -> Sent:
        """Press a reply-keyboard button (contact/location requests share them)."""
        keyboard = self.reply_keyboard or []
        buttons = [b for row in keyboard for b in row if label.casefold() in b["text"].casefold()]
        if len(buttons) != 1:
            raise AssertionError(f"{len(buttons)} keys match {label!r}; keyboard: {keyboard}")
        if buttons[0].get("request_contact"):
            return self.send_contact()
        if buttons[0].get("request_location"):
            return self.send_location(50.9, 7.0)
        return self.send_text(buttons[0]["text"])

    def resend(self, sent: Sent | JsonDict) -> Sent:
        """Deliver the exact same update again (same update_id), for replay tests."""
        update = sent.update if isinstance(sent, Sent) else sent
        self.server.replay(update)
        return Sent(update)

    def block(self, blocked: bool = True) -> Sent:
        """Block (or unblock) the bot: sends then fail with 403; my_chat_member is sent."""
        self.log.blocked = blocked
        member = {"status": "member", "user": self.server.bot_user}
        kicked = {"status": "kicked", "user": self.server.bot_user, "until_date": 0}
        old, new = (member, kicked) if blocked else (kicked, member)
        return Sent(self.server.enqueue({"my_chat_member": {
            "chat": self.chat, "from": self.from_user, "date": int(time.time()),
            "old_chat_member": old, "new_chat_member": new}}))

    def _current(self, message: MessageRef) -> JsonDict:
        """Latest server-side state of a message in this chat."""
        return self.message(message if isinstance(message, int) else (
            message.message_id if isinstance(message, BotMessage) else message["message_id"]))

    async def callback_answer(self, sent: Sent, timeout: float = 10.0) -> JsonDict:
        """Wait until the bot answered a click; return answerCallbackQuery's params."""
        query_id = sent.query_id
        answers = self.server.methods.callback_answers
        await self._wait(lambda: query_id in answers, timeout, f"an answer to query {query_id}")
        return answers[str(query_id)]

