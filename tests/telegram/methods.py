"""Bot API method handlers for messages, media, callbacks, files and bot settings."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from .markup import MAX_CAPTION, MAX_TEXT, check_reply_markup, format_text, reply_keyboard
from .store import Store, public
from .wire import ApiError, JsonDict, Upload, require

Handler = Callable[[JsonDict, dict[str, Upload]], Any]
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
MEDIA = {  # method -> (field, folder, extension, default mime type)
    "sendPhoto": ("photo", "photos", "jpg", "image/jpeg"),
    "sendDocument": ("document", "documents", "bin", "application/octet-stream"),
    "sendVoice": ("voice", "voice", "oga", "audio/ogg"),
    "sendAudio": ("audio", "music", "mp3", "audio/mpeg"),
    "sendVideo": ("video", "videos", "mp4", "video/mp4"),
}
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


class BotMethods:
    """Implements the stateful Bot API methods on top of a Store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.callback_answers: dict[str, JsonDict] = {}
        self.open_queries: set[str] = set()
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.settings: dict[str, Any] = {}

    def table(self) -> dict[str, Handler]:
        """Method name -> handler, for the HTTP dispatcher."""
        table: dict[str, Handler] = {
            "sendMessage": self.send_message,
            "editMessageText": self.edit_text,
            "editMessageCaption": self.edit_caption,
            "editMessageReplyMarkup": self.edit_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "answerCallbackQuery": self.answer_callback_query,
            "sendChatAction": self.send_chat_action,
            "getFile": lambda p, _: self.store.get_file(require(p, "file_id", "invalid file_id")),
            "setMyCommands": self.set_commands,
            "getMyCommands": lambda p, _: self.commands.get(_scope_key(p), []),
            "deleteMyCommands": self.delete_commands,
        }
        for method in MEDIA:
            table[method] = self._media_handler(method)
        for name in ("ChatMenuButton", "MyDescription", "MyShortDescription", "MyName"):
            table[f"set{name}"] = self._setter(name)
            table[f"get{name}"] = self._getter(name)
        return table

    def _setter(self, name: str) -> Handler:
        """A set* handler recording its params per language or chat."""
        def handler(params: JsonDict, _: dict[str, Upload]) -> bool:
            key = params.get("chat_id", params.get("language_code", ""))
            self.settings.setdefault(name, {})[key or ""] = params
            return True
        return handler

    def _getter(self, name: str) -> Handler:
        """A get* handler returning what the matching set* recorded."""
        def handler(params: JsonDict, _: dict[str, Upload]) -> JsonDict:
            key = params.get("chat_id", params.get("language_code", "")) or ""
            stored = self.settings.get(name, {}).get(key, {})
            if name == "ChatMenuButton":
                return dict(stored.get("menu_button") or {"type": "commands"})
            field = {"MyDescription": "description", "MyShortDescription": "short_description",
                     "MyName": "name"}[name]
            return {field: stored.get(field, "")}
        return handler

    def _outgoing(self, params: JsonDict, log_chat: Any, **fields: Any) -> JsonDict:
        """Common parts of a bot-sent message: reply target, markup, protection."""
        log = self.store.chat_for(log_chat, sending=True)
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        if params.get("protect_content"):
            fields["has_protected_content"] = True
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id", params.get("reply_to_message_id"))
        if reply_id is not None:
            target = self.store.peek(log.chat["id"], reply_id)
            if target is not None and not target.get("_deleted"):
                fields["reply_to_message"] = public(target)
            elif not (reply.get("allow_sending_without_reply")
                      or params.get("allow_sending_without_reply")):
                raise ApiError(400, "Bad Request: message to be replied not found")
        return self.store.new_message(log, self.store.bot_user, **fields)

    def send_message(self, params: JsonDict, _: dict[str, Upload]) -> JsonDict:
        """sendMessage: validate, format and record a text message."""
        self.store.chat_for(params.get("chat_id"), sending=True)
        text, entities = format_text(
            require(params, "text", "message text is empty"), params.get("parse_mode"),
            params.get("entities"), MAX_TEXT, "message")
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        extra = {"entities": entities} if entities else {}
        message = self._outgoing(params, params["chat_id"], text=text, **extra)
        self.store.record("send", "sendMessage", message, params)
        return public(message)

    def _media_handler(self, method: str) -> Handler:
        """A send<Media> handler accepting attach://, a direct part, a file_id or a URL."""
        field, folder, extension, mime = MEDIA[method]

        def handler(params: JsonDict, uploads: dict[str, Upload]) -> JsonDict:
            self.store.chat_for(params.get("chat_id"), sending=True)
            upload, stored = self._resolve_media(params.get(field), uploads.get(field),
                                                 uploads, folder, extension)
            caption, entities = format_text(
                str(params.get("caption") or ""), params.get("parse_mode"),
                params.get("caption_entities"), MAX_CAPTION, "message caption")
            base = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                    "file_size": len(stored.data)}
            if field == "photo":
                media: Any = [{**base, "width": 1280, "height": 960}]
            else:
                media = {**base, "mime_type": upload.content_type if upload else mime}
                if field != "voice":
                    media["file_name"] = upload.filename if upload else stored.file_path
                if field in ("voice", "audio", "video"):
                    media["duration"] = int(params.get("duration") or 0)
                if field == "video":
                    media.update(width=params.get("width") or 0, height=params.get("height") or 0)
            extra: JsonDict = {field: media}
            if caption:
                extra["caption"] = caption
            if entities:
                extra["caption_entities"] = entities
            message = self._outgoing(params, params["chat_id"], **extra)
            self.store.record("send", method, message, params, upload)
            return public(message)
        return handler

    def _resolve_media(self, value: Any, direct: Upload | None, uploads: dict[str, Upload],
                       folder: str, extension: str) -> tuple[Upload | None, Any]:
        """Find the uploaded bytes or the existing file a media field refers to."""
        upload = direct
        if isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value[len("attach://"):])
        if upload is not None:
            return upload, self.store.add_file(upload.data, folder, extension)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return None, self.store.add_file(b"", folder, extension)
        if isinstance(value, str) and value in self.store.files:
            return None, self.store.files[value]
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _edit(self, params: JsonDict, method: str, **changes: Any) -> JsonDict | bool:
        """Apply an edit to a bot message with Telegram's not-modified/not-found rules."""
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: message to edit not found")
        chat_id = params.get("chat_id")
        self.store.chat_for(chat_id)
        message = self.store.message(chat_id, params.get("message_id"),
                                     "message to edit not found")
        if message["from"].get("id") != self.store.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        if markup is not None and reply_keyboard(markup) is not None:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        changes["reply_markup"] = markup or None
        if all((message.get(key) or None) == (value or None) for key, value in changes.items()):
            raise ApiError(400, NOT_MODIFIED)
        for key, value in changes.items():
            if value is None or value == []:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = int(time.time())
        self.store.record("edit", method, message, params)
        return public(message)

    def edit_text(self, params: JsonDict, _: dict[str, Upload]) -> JsonDict | bool:
        """editMessageText (also removes the inline keyboard unless one is passed)."""
        current = self.store.peek(params.get("chat_id"), params.get("message_id"))
        if current is not None and "text" not in current:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = format_text(
            require(params, "text", "text must be non-empty"), params.get("parse_mode"),
            params.get("entities"), MAX_TEXT, "message")
        if not text:
            raise ApiError(400, "Bad Request: text must be non-empty")
        return self._edit(params, "editMessageText", text=text, entities=entities)

    def edit_caption(self, params: JsonDict, _: dict[str, Upload]) -> JsonDict | bool:
        """editMessageCaption for media messages."""
        current = self.store.peek(params.get("chat_id"), params.get("message_id"))
        if current is not None and "text" in current:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, entities = format_text(
            str(params.get("caption") or ""), params.get("parse_mode"),
            params.get("caption_entities"), MAX_CAPTION, "message caption")
        return self._edit(params, "editMessageCaption", caption=caption or None,
                          caption_entities=entities)

    def edit_markup(self, params: JsonDict, _: dict[str, Upload]) -> JsonDict | bool:
        """editMessageReplyMarkup (no markup = remove the keyboard)."""
        return self._edit(params, "editMessageReplyMarkup")

    def delete_message(self, params: JsonDict, _: dict[str, Upload]) -> bool:
        """deleteMessage: mark deleted, 400 if absent or already deleted."""
        log = self.store.chat_for(params.get("chat_id"))
        message = self.store.message(log.chat["id"], params.get("message_id"),
                                     "message to delete not found")
        message["_deleted"] = True
        log.deleted.append(message["message_id"])
        self.store.signal.fire()
        return True

    def delete_messages(self, params: JsonDict, _: dict[str, Upload]) -> bool:
        """deleteMessages: 1–100 ids; ids that cannot be found are skipped, like Telegram."""
        ids = params.get("message_ids")
        ids = json.loads(ids) if isinstance(ids, str) else ids
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message_ids must hold 1 to 100 ids")
        log = self.store.chat_for(params.get("chat_id"))
        for message_id in ids:
            message = self.store.peek(log.chat["id"], message_id)
            if message is not None and not message.get("_deleted"):
                message["_deleted"] = True
                log.deleted.append(message["message_id"])
        self.store.signal.fire()
        return True

    def answer_callback_query(self, params: JsonDict, _: dict[str, Upload]) -> bool:
        """answerCallbackQuery: each query can be answered once."""
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self.open_queries:
            raise ApiError(400, QUERY_INVALID)
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.open_queries.discard(query_id)
        self.callback_answers[query_id] = params
        self.store.signal.fire()
        return True

    def send_chat_action(self, params: JsonDict, _: dict[str, Upload]) -> bool:
        """sendChatAction with Telegram's action whitelist."""
        log = self.store.chat_for(params.get("chat_id"), sending=True)
        action = str(params.get("action") or "")
        if action not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        log.actions.append(action)
        return True

    def set_commands(self, params: JsonDict, _: dict[str, Upload]) -> bool:
        """setMyCommands: validate and store per (scope, language_code)."""
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError(400, "Bad Request: invalid language code specified")
        self.commands[_scope_key(params)] = commands
        return True

    def delete_commands(self, params: JsonDict, _: dict[str, Upload]) -> bool:
        """deleteMyCommands for one (scope, language_code)."""
        self.commands.pop(_scope_key(params), None)
        return True


def _scope_key(params: JsonDict) -> tuple[str, str]:
    """(canonical scope JSON, language_code) for command storage."""
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")
