"""The one place where progress becomes bytes and back, with a schema version."""

from __future__ import annotations

import json
from typing import Any

from dialogs.progress import Progress
from dialogs.types import (
    Attachment,
    Consent,
    DocStatus,
    Document,
    FreeText,
    PartialDate,
    Role,
    Special,
    Value,
)

SCHEMA = 3  # 2 added consents, contact, first_message; 3 addendum_to; older ones are read
# Drafts without a Nachtrag are still written as schema 2, so a replica of the previous
# release (rolling update) reads every application draft.
PLAIN_SCHEMA = 2
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # built once, not per dump


class FormatError(ValueError):
    """The bytes are not a progress value this version understands."""


def encode_value(value: Value) -> Any:
    """A JSON-ready form of one answer, tagged by type."""
    match value:
        case Special():
            return {"special": value.value}
        case str() | int():
            return value
        case PartialDate():
            return {"date": value.iso()}
        case tuple():
            return {"choices": list(value)}
        case FreeText():
            parts = [p if isinstance(p, str) else _attachment(p) for p in value.parts]
            return {"text": parts, "lang": value.language}
        case Document():
            return {"doc": value.status.value, "files": [_attachment(f) for f in value.files]}
    raise FormatError(f"cannot encode {type(value).__name__}")


def decode_value(raw: Any) -> Value:
    """The inverse of :func:`encode_value`."""
    if isinstance(raw, (str, int)) and not isinstance(raw, bool):
        return raw
    if not isinstance(raw, dict):
        raise FormatError("unexpected value")
    if "special" in raw:
        return Special(raw["special"])
    if "date" in raw:
        return PartialDate.from_iso(raw["date"])
    if "choices" in raw:
        return tuple(str(c) for c in raw["choices"])
    if "text" in raw:
        parts = tuple(p if isinstance(p, str) else _from_attachment(p) for p in raw["text"])
        return FreeText(parts, str(raw["lang"]))
    if "doc" in raw:
        files = tuple(_from_attachment(f) for f in raw["files"])
        return Document(DocStatus(raw["doc"]), files)
    raise FormatError("unknown value tag")


def encode_answers(progress: Progress) -> dict[str, Any]:
    return {path: encode_value(v) for path, v in progress.answers.items()}


def dumps(progress: Progress) -> bytes:
    """Serialize progress (compact JSON, UTF-8)."""
    doc: dict[str, Any] = {
        "schema": SCHEMA if progress.addendum_to is not None else PLAIN_SCHEMA,
        "cursor": progress.cursor,
        "answers": encode_answers(progress),
        "history": list(progress.history),
        "return_to": progress.return_to,
        "language": progress.language,
        "authors": dict(progress.authors),  # Role is a StrEnum: JSON writes its value
        "consents": [_consent(c) for c in progress.consents],
        "contact": progress.contact,
        "first_message": progress.first_message,
    }
    if progress.addendum_to is not None:
        doc["addendum_to"] = progress.addendum_to
    return _COMPACT.encode(doc).encode()


def loads(data: bytes) -> Progress:
    """Deserialize progress written by :func:`dumps` of this or an earlier schema."""
    try:
        doc = json.loads(data)
        if not isinstance(doc, dict) or doc.get("schema") not in (1, 2, SCHEMA):
            raise FormatError(f"unsupported schema {doc.get('schema')!r}")
        return Progress(
            cursor=str(doc["cursor"]),
            answers={k: decode_value(v) for k, v in doc["answers"].items()},
            history=tuple(doc["history"]),
            return_to=doc["return_to"],
            language=str(doc["language"]),
            authors={k: Role(v) for k, v in doc["authors"].items()},
            consents=tuple(_from_consent(c) for c in doc.get("consents", [])),
            contact=doc.get("contact"),
            first_message=doc.get("first_message"),
            addendum_to=doc.get("addendum_to"),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise FormatError("malformed progress") from exc


def _consent(c: Consent) -> dict[str, Any]:
    return {"kind": c.kind, "given": c.given, "at": c.at, "notice": c.notice,
            "language": c.language, "by": c.by.value}


def _from_consent(raw: dict[str, Any]) -> Consent:
    return Consent(str(raw["kind"]), bool(raw["given"]), str(raw["at"]), str(raw["notice"]),
                   str(raw["language"]), Role(raw["by"]))


def _attachment(a: Attachment) -> dict[str, Any]:
    return {"id": a.id, "kind": a.kind, "size": a.size, "mime": a.mime}


def _from_attachment(raw: dict[str, Any]) -> Attachment:
    return Attachment(str(raw["id"]), str(raw["kind"]), int(raw["size"]), str(raw["mime"]))
