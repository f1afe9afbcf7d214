"""Telegram-style text formatting: HTML parse mode, entities and keyboard checks."""

from __future__ import annotations

import html
import re
from typing import Any

from .wire import ApiError

JsonDict = dict[str, Any]

_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z][a-zA-Z0-9-]*"
    r"(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTR = re.compile(r"([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_SIMPLE = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "tg-spoiler": "spoiler", "code": "code", "pre": "pre",
}
_OTHER = {"a", "span", "blockquote", "tg-emoji"}
_COMMAND = re.compile(r"(?<![\w/])/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/])")
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, as Telegram counts offsets."""
    return len(text.encode("utf-16-le")) // 2


def _entity_for(tag: str, attrs: dict[str, str], offset: int) -> JsonDict:
    """Build the entity opened by a start tag (length filled in on close)."""
    if tag == "code" and attrs.get("class", "").startswith("language-"):
        return {"type": "code", "offset": offset, "_language": attrs["class"][9:]}
    if tag in _SIMPLE:
        return {"type": _SIMPLE[tag], "offset": offset}
    if tag == "a":
        href = attrs.get("href", "")
        if href.startswith("tg://user?id="):
            return {"type": "text_mention", "offset": offset, "user_id": int(href[13:] or 0)}
        return {"type": "text_link", "offset": offset, "url": href}
    if tag == "span":
        if attrs.get("class") != "tg-spoiler":
            raise ApiError(400, "Bad Request: can't parse entities: Unsupported start tag \"span\"")
        return {"type": "spoiler", "offset": offset}
    if tag == "blockquote":
        kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
        return {"type": kind, "offset": offset}
    return {"type": "custom_emoji", "offset": offset, "custom_emoji_id": attrs.get("emoji-id", "")}


def parse_html(source: str) -> tuple[str, list[JsonDict]]:
    """Parse Telegram HTML into (plain text, entities); raise ApiError like Telegram does."""
    out: list[str] = []
    stack: list[tuple[str, JsonDict]] = []
    entities: list[JsonDict] = []
    pos = 0
    length = 0
    while pos < len(source):
        char = source[pos]
        if char == "<":
            match = _TAG.match(source, pos)
            offset = len(source[:pos].encode())
            if match is None:
                raise ApiError(
                    400, f"Bad Request: can't parse entities: Unexpected end of name token "
                    f"at byte offset {offset}",
                )
            closing, tag = match.group(1) == "/", match.group(2).lower()
            if tag not in _SIMPLE and tag not in _OTHER:
                raise ApiError(
                    400, f"Bad Request: can't parse entities: Unsupported start tag \"{tag}\" "
                    f"at byte offset {offset}",
                )
            if closing:
                if not stack or stack[-1][0] != tag:
                    raise ApiError(
                        400, f"Bad Request: can't parse entities: Unmatched end tag at byte "
                        f"offset {offset}, expected \"</{stack[-1][0] if stack else ''}>\", "
                        f"found \"</{tag}>\"",
                    )
                _, entity = stack.pop()
                entity["length"] = length - entity["offset"]
                language = entity.pop("_language", None)
                if tag == "code" and stack and stack[-1][0] == "pre":  # <pre><code class=...>
                    if language:
                        stack[-1][1]["language"] = language
                elif entity["length"] > 0:
                    entities.append(entity)
            else:
                attrs = {
                    m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
                    for m in _ATTR.finditer(match.group(3))
                }
                stack.append((tag, _entity_for(tag, attrs, length)))
            pos = match.end()
            continue
        if char == "&" and (entity_match := _ENTITY.match(source, pos)):
            piece = html.unescape(entity_match.group(0))
            pos = entity_match.end()
        else:
            piece = char
            pos += 1
        out.append(piece)
        length += utf16_len(piece)
    if stack:
        raise ApiError(
            400, f"Bad Request: can't parse entities: Can't find end tag corresponding to "
            f"start tag \"{stack[-1][0]}\"",
        )
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def format_text(
    source: str, parse_mode: str | None, given: list[JsonDict] | None, limit: int, what: str
) -> tuple[str, list[JsonDict]]:
    """Apply parse_mode, trim whitespace and enforce Telegram's length limit."""
    if parse_mode and parse_mode.lower() == "html":
        text, entities = parse_html(source)
    else:
        text, entities = source, list(given or [])
    stripped = text.lstrip()
    shift = utf16_len(text) - utf16_len(stripped)
    text = stripped.rstrip()
    size = utf16_len(text)
    trimmed: list[JsonDict] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, size)
        if end > start:
            trimmed.append({**entity, "offset": start, "length": end - start})
    if size > limit:
        raise ApiError(400, f"Bad Request: {what} is too long")
    return text, trimmed


def command_entities(text: str) -> list[JsonDict]:
    """Entities of type bot_command, as Telegram detects them in user text."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]),
         "length": utf16_len(m.group(0))}
        for m in _COMMAND.finditer(text)
    ]


def check_reply_markup(markup: Any) -> None:
    """Validate a reply_markup object the way Telegram rejects bad keyboards."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: "
                            "InlineKeyboardButton must be an Object")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: "
                                    "Text buttons are unallowed in the inline keyboard")
            if len(button) < 2:
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: "
                                    "Text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def inline_buttons(markup: Any) -> list[list[tuple[str, str | None]]]:
    """Rows of (text, callback_data) of an inline keyboard, or [] if there is none."""
    if not isinstance(markup, dict):
        return []
    return [
        [(str(b.get("text", "")), b.get("callback_data")) for b in row]
        for row in markup.get("inline_keyboard") or []
    ]


def reply_keyboard(markup: Any) -> list[list[JsonDict]] | None:
    """Rows of buttons of a reply keyboard; [] for ReplyKeyboardRemove; None if absent."""
    if not isinstance(markup, dict):
        return None
    if markup.get("remove_keyboard"):
        return []
    rows = markup.get("keyboard")
    if rows is None:
        return None
    return [[b if isinstance(b, dict) else {"text": str(b)} for b in row] for row in rows]
