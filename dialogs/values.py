"""How a stored answer is shown: as translatable text, with the person's words verbatim."""

from __future__ import annotations

from dialogs.model import Kind, Question
from dialogs.types import (
    N_,
    DocStatus,
    Document,
    FreeText,
    Join,
    Param,
    PartialDate,
    Special,
    Value,
    Verbatim,
    plural,
    t,
)

SPECIAL_LABELS = {
    Special.UNKNOWN: N_("I don't know"),
    Special.SKIPPED: N_("Skipped"),
    Special.DECLINED: N_("I prefer not to say"),
}
DOC_LABELS = {
    DocStatus.LATER: N_("I will bring it later"),
    DocStatus.MISSING: N_("I do not have it"),
}
PREVIEW = 300


def show_value(q: Question, value: Value, *, preview: int = PREVIEW) -> Param:
    """The answer as a message parameter."""
    match value:
        case Special():
            return t(SPECIAL_LABELS[value])
        case tuple():
            labels = [c.label for c in q.choices if c.id in value]
            return Join(tuple(t(label) for label in labels)) if labels else t(N_("(none)"))
        case PartialDate() | int():
            return value
        case FreeText():
            return _free_text(value, preview)
        case Document() if value.status is DocStatus.UPLOADED:
            return plural("Sent: {n} file", "Sent: {n} files", len(value.files))
        case Document():
            return t(DOC_LABELS[value.status])
        case str() if q.kind is Kind.CHOICE:
            choice = q.choice(value)
            return t(choice.label) if choice else Verbatim(value)
        case str():
            return Verbatim(value)
    return Verbatim(str(value))


def _free_text(value: FreeText, preview: int) -> Param:
    words = "\n".join(p for p in value.parts if isinstance(p, str))
    voices = sum(1 for p in value.parts if not isinstance(p, str))
    if len(words) > preview:
        words = words[:preview].rstrip() + "…"
    if not voices:
        return Verbatim(words)
    note = plural("{n} voice message", "{n} voice messages", voices)
    return Join((Verbatim(words), note)) if words else note
