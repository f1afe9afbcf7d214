"""Bot API wire format: request decoding, responses, errors and recorded calls."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

JsonDict = dict[str, Any]
T = TypeVar("T")

INT_FIELDS = frozenset({
    "chat_id", "message_id", "offset", "limit", "timeout", "from_chat_id", "user_id",
    "duration", "cache_time", "message_thread_id", "reply_to_message_id", "width", "height",
})
BOOL_FIELDS = frozenset({
    "protect_content", "show_alert", "disable_notification", "drop_pending_updates",
    "disable_web_page_preview", "allow_sending_without_reply", "has_spoiler",
    "disable_content_type_detection", "revoke_messages",
})
JSON_FIELDS = frozenset({
    "reply_markup", "allowed_updates", "commands", "scope", "entities", "caption_entities",
    "link_preview_options", "reply_parameters", "menu_button", "media", "message_ids",
})


class ApiError(Exception):
    """A Bot API error answered as {"ok": false, ...} with an HTTP status."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def payload(self) -> JsonDict:
        """The JSON body Telegram would send for this error."""
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class Upload:
    """A file uploaded by the bot as a multipart part."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Call:
    """One recorded Bot API request."""

    method: str
    params: JsonDict
    uploads: dict[str, Upload] = field(default_factory=dict)
    status: int = 200
    response: JsonDict | None = None


@dataclass
class Fault:
    """A pending injected failure for one method."""

    status: int
    description: str
    retry_after: int | None
    times: int


def _coerce(key: str, value: Any) -> Any:
    """Decode a string form value into the type Telegram would parse it as."""
    if not isinstance(value, str):
        return value
    try:
        if key in JSON_FIELDS:
            return json.loads(value)
        if key in INT_FIELDS and value.lstrip("-").isdigit():
            return int(value)
    except ValueError as exc:
        raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from exc
    if key in BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value


async def read_params(request: web.Request) -> tuple[JsonDict, dict[str, Upload]]:
    """Collect parameters from the query string, JSON, urlencoded or multipart bodies."""
    raw: JsonDict = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON object expected")
            raw.update(body)
        else:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    uploads[key] = Upload(value.filename, value.content_type, data)
                else:
                    raw[key] = value
    return {key: _coerce(key, value) for key, value in raw.items()}, uploads


def ok(result: Any) -> web.Response:
    """A successful Bot API response."""
    return web.json_response({"ok": True, "result": result})


def fail(error: ApiError) -> web.Response:
    """An error Bot API response."""
    return web.json_response(error.payload(), status=error.code)


class Signal:
    """Wake-up broadcast for waiters that re-check a predicate after each state change."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        """Wake every current waiter."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float) -> T:
        """Return predicate()'s first truthy value; raise TimeoutError after timeout."""
        async with asyncio.timeout(timeout):
            while True:
                event = self._event
                result = predicate()
                if result:
                    return result
                await event.wait()


def require(params: JsonDict, key: str, description: str) -> Any:
    """Fetch a required parameter or fail with Telegram's 400 description."""
    value = params.get(key)
    if value is None or value == "":
        raise ApiError(400, f"Bad Request: {description}")
    return value
