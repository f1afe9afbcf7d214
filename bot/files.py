"""What a received file really is, judged by its content, not its name."""

from __future__ import annotations

import puremagic

MAX_BYTES = 20 * 1024 * 1024  # the most a bot may download from Telegram's servers

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}
KINDS = {"application/pdf": "pdf", "application/ogg": "voice", "audio/ogg": "voice",
         **{m: "photo" for m in IMAGE_TYPES}}


def sniff(data: bytes) -> tuple[str, str] | None:
    """(kind, mime) for photos, PDFs and Ogg voice notes; None for anything else."""
    try:
        mime = puremagic.from_string(data[:4096], mime=True)
    except (puremagic.PureError, ValueError):
        return None
    if mime == "application/pdf" and b"%%EOF" not in data[-2048:]:
        return None  # a truncated or fake PDF
    kind = KINDS.get(mime)
    return None if kind is None else (kind, mime)
