"""The secretariat's commands: list the queue, show and export a submission.

Plain functions for the CLI to wire; they must stay free of aiogram so the secretariat
tools start fast.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import mimetypes
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
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
ADDENDUM_FORM = "nachtrag.pdf"
ADDENDUM = "addendum.json"
_PREFIX = "attachments/"
_EXTENSIONS = {"image/jpeg": ".jpg", "audio/ogg": ".ogg", ".jfif": ".jpg"}


def list_queue(url: str) -> list[Submission]:
    """The queue: urgent first, then oldest first."""
    return asyncio.run(_list(url))


def show(url: str, reference: str, key_file: Path, passphrase: str) -> dict[str, Any]:
    """The decrypted application (parsed), its attachments, and its Nachträge likewise."""
    opened = _open(url, reference, key_file, passphrase)
    entry = opened.entry
    if opened.parts is None and not opened.addenda:
        raise Purged(f"{reference}: the contents have left the bot's database after the "
                     "retention period; use the exported copy")
    return {
        "reference": entry.reference,
        "submitted_at": entry.submitted_at,
        "urgent": entry.urgent,
        "status": entry.status,
        **(_shown(opened.parts, APPLICATION) if opened.parts is not None
           else {"application": None, "attachments": []}),
        "addenda": [{"number": number, "submitted_at": at, **_shown(parts, ADDENDUM)}
                    for number, at, parts in opened.addenda],
    }


def _shown(parts: dict[str, bytes], document: str) -> dict[str, Any]:
    application = json.loads(parts[document])
    return {"application": application, "attachments": [
        {"id": aid, "name": name, "size": len(data)}
        for aid, name, data in _attachments(application, parts)]}


Progress = Callable[[int, int, str], None]  # files written, files in all, the latest name


def export(url: str, reference: str, out_dir: Path, key_file: Path, passphrase: str,
           progress: Progress | None = None) -> list[Path]:
    """Write the application (JSON, attachments, German summary and PDF), then each Nachtrag
    the same way into ``nachtrag-<n>/``; ``progress`` hears of every file written."""
    render_pdf = _pdf_renderer()
    opened = _open(url, reference, key_file, passphrase)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty")
    if opened.parts is None and not opened.addenda:
        raise Purged(f"{reference}: the contents have left the bot's database after the "
                     "retention period; use the exported copy")
    arrived = [at for _, at, _ in opened.addenda]
    jobs = [] if opened.parts is None else [  # purged: only the Nachträge that came later
        (out_dir, APPLICATION, FORM, opened.parts, opened.entry.submitted_at, {
            "repeat_hint": _repeat_hint(url, reference), "addenda": arrived})]
    jobs += [(out_dir / f"nachtrag-{number}", ADDENDUM, ADDENDUM_FORM, parts, at, {})
             for number, at, parts in opened.addenda]
    total = sum(3 + len(_attachment_ids(parts)) for *_, parts, _, _ in jobs)
    written: list[Path] = []

    def wrote(path: Path) -> None:
        written.append(path)
        if progress is not None:
            progress(len(written), total, str(path.relative_to(out_dir)))

    for folder, document, form, parts, received, extra in jobs:
        _export_one(folder, reference, document, form, parts, received, render_pdf, wrote, extra)
    numbers = [number for number, _, _ in opened.addenda]
    asyncio.run(_acknowledge(url, reference, numbers))
    return written


def _export_one(folder: Path, reference: str, document: str, form: str,
                parts: dict[str, bytes], received: dt.datetime, render_pdf: Callable[..., bytes],
                wrote: Callable[[Path], None], extra: dict[str, Any]) -> None:
    from secretariat.document import render_summary  # late: only export renders

    application = json.loads(parts[document])
    (folder / "attachments").mkdir(mode=0o700, parents=True, exist_ok=True)
    pretty = json.dumps(application, ensure_ascii=False, indent=2) + "\n"
    wrote(_write(folder / document, pretty.encode()))
    files = _attachments(application, parts)
    for _, name, data in files:
        wrote(_write(folder / name, data))
    wrote(_write(folder / SUMMARY, render_summary(application, reference).encode()))
    wrote(_write(folder / form, render_pdf(application, reference, files, received=received,
                                           **extra)))


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


class Purged(Exception):
    """The sealed contents left the bot's database (the secretariat has its copy)."""


@dataclass(frozen=True)
class Opened:
    """A submission decrypted: its queue entry, its parts (None once purged), and the parts of
    its Nachträge still held."""

    entry: Submission
    parts: dict[str, bytes] | None
    addenda: list[tuple[int, dt.datetime, dict[str, bytes]]]


def _open(url: str, reference: str, key_file: Path, passphrase: str) -> Opened:
    private_key = keyfiles.read_private(key_file, passphrase)
    entry, envelope, addenda = asyncio.run(_fetch(url, reference))
    parts = queue.open_submission(envelope, private_key) if envelope.wraps else None
    return Opened(entry, parts, [
        (a.number, a.submitted_at, queue.open_submission(a.envelope, private_key))
        for a in addenda if a.envelope.wraps])


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


async def _fetch(url: str, reference: str) -> tuple[Submission, Envelope, list[queue.Addendum]]:
    async with _engine(url) as engine:
        entry, envelope = await queue.fetch_submission(engine, reference)
        return entry, envelope, await queue.fetch_addenda(engine, reference)


async def _acknowledge(url: str, reference: str, numbers: list[int]) -> None:
    async with _engine(url) as engine:
        await queue.acknowledge_addenda(engine, reference, numbers, dt.datetime.now(dt.UTC))


def _attachment_ids(parts: dict[str, bytes]) -> list[str]:
    return [name.removeprefix(_PREFIX) for name in parts if name.startswith(_PREFIX)]


def _attachments(application: Any, parts: dict[str, bytes]) -> list[tuple[str, str, bytes]]:
    """(id, file name, content) in the order the application mentions them."""
    meta = _attachment_meta(application)
    order = list(meta)
    ids = sorted(
        _attachment_ids(parts),
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
