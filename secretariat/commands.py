"""The secretariat's commands: list the queue, show and export a submission.

Plain functions for the CLI to wire; they must stay free of aiogram so the secretariat
tools start fast.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import database, keyfiles, queue
from storage.ports import Submission
from storage.sealing import Envelope

SUMMARY = "zusammenfassung.txt"
FORM = "antrag.pdf"
APPLICATION = "application.json"
_PREFIX = "attachments/"
_EXTENSIONS = {"image/jpeg": ".jpg", "audio/ogg": ".ogg", ".jfif": ".jpg"}


def list_queue(url: str) -> list[Submission]:
    """The queue: urgent first, then oldest first."""
    return asyncio.run(_list(url))


def show(url: str, reference: str, key_file: Path, passphrase: str) -> dict[str, Any]:
    """The decrypted application (parsed) and its attachments' ids, names and sizes."""
    entry, parts = _open(url, reference, key_file, passphrase)
    application = json.loads(parts[APPLICATION])
    return {
        "reference": entry.reference,
        "submitted_at": entry.submitted_at,
        "urgent": entry.urgent,
        "status": entry.status,
        "application": application,
        "attachments": [
            {"id": aid, "name": name, "size": len(data)}
            for aid, name, data in _attachments(application, parts)
        ],
    }


def export(url: str, reference: str, out_dir: Path, key_file: Path, passphrase: str) -> list[Path]:
    """Write application.json, the attachments, the German summary and the German PDF."""
    from secretariat.document import render_summary  # late: only export renders

    render_pdf = _pdf_renderer()
    entry, parts = _open(url, reference, key_file, passphrase)
    application = json.loads(parts[APPLICATION])
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty")
    (out_dir / "attachments").mkdir(mode=0o700, parents=True, exist_ok=True)
    pretty = json.dumps(application, ensure_ascii=False, indent=2) + "\n"
    written = [_write(out_dir / APPLICATION, pretty.encode())]
    files = _attachments(application, parts)
    for _, name, data in files:
        written.append(_write(out_dir / name, data))
    summary = render_summary(application, reference)
    written.append(_write(out_dir / SUMMARY, summary.encode()))
    form = render_pdf(
        application, reference, files,
        received=entry.submitted_at, repeat_hint=_repeat_hint(url, reference),
    )
    written.append(_write(out_dir / FORM, form))
    return written


def _repeat_hint(url: str, reference: str) -> str | None:
    """The queue's hint at earlier applications of the same person, for the PDF's cover."""
    earlier = next((s.repeat_of for s in list_queue(url) if s.reference == reference), ())
    if not earlier:
        return None
    return f"gleicher Name und gleiches Geburtsdatum wie {', '.join(earlier)}"


def _pdf_renderer() -> Callable[..., bytes]:
    """secretariat.pdf.render_pdf, or a clear word on what to install."""
    try:
        from secretariat.pdf import render_pdf
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            f"{FORM} needs the secretariat extra ({exc.name} is missing): "
            'pip install -e ".[secretariat]"'
        ) from exc
    return render_pdf


def _open(
    url: str, reference: str, key_file: Path, passphrase: str
) -> tuple[Submission, dict[str, bytes]]:
    private_key = keyfiles.read_private(key_file, passphrase)
    entry, envelope = asyncio.run(_fetch(url, reference))
    return entry, queue.open_submission(envelope, private_key)


@asynccontextmanager
async def _engine(url: str) -> AsyncIterator[AsyncEngine]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        raise FileNotFoundError(f"no database at {parsed.database}")
    engine = database.create_engine(url)
    try:
        await database.migrate(engine)  # the same code as the bot: bring an older schema up
        yield engine
    finally:
        await engine.dispose()


async def _list(url: str) -> list[Submission]:
    async with _engine(url) as engine:
        return await queue.list_submissions(engine)


async def _fetch(url: str, reference: str) -> tuple[Submission, Envelope]:
    async with _engine(url) as engine:
        return await queue.fetch_submission(engine, reference)


def _attachments(application: Any, parts: dict[str, bytes]) -> list[tuple[str, str, bytes]]:
    """(id, file name, content) in the order the application mentions them."""
    meta = _attachment_meta(application)
    order = list(meta)
    ids = sorted(
        (name.removeprefix(_PREFIX) for name in parts if name.startswith(_PREFIX)),
        key=lambda aid: (order.index(aid) if aid in order else len(order), aid),
    )
    return [
        (
            aid,
            f"attachments/{n}-{aid}{_extension(meta.get(aid), parts[_PREFIX + aid])}",
            parts[_PREFIX + aid],
        )
        for n, aid in enumerate(ids, start=1)
    ]


def _attachment_meta(node: Any, found: dict[str, str] | None = None) -> dict[str, str]:
    """Attachment id → mime type, for every attachment record in the application JSON."""
    found = {} if found is None else found
    if isinstance(node, dict):
        if isinstance(node.get("id"), str) and isinstance(node.get("mime"), str):
            found.setdefault(node["id"], node["mime"])
        for value in node.values():
            _attachment_meta(value, found)
    elif isinstance(node, list):
        for value in node:
            _attachment_meta(value, found)
    return found


def _extension(mime: str | None, data: bytes) -> str:
    """From the declared mime type if known, else by content, else ``.bin``."""
    if mime:
        ext = _EXTENSIONS.get(mime) or mimetypes.guess_extension(mime)
        if ext:
            return ext
    import puremagic

    try:
        sniffed = str(puremagic.from_string(data))
    except (puremagic.PureError, ValueError):
        return ".bin"
    return _EXTENSIONS.get(sniffed, sniffed)


def _write(path: Path, data: bytes) -> Path:
    """Write a decrypted file readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path
