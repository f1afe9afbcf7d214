"""The secretariat's commands end to end: keygen, a real submission, list, show, export."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import stat
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from dialogs.progress import Progress
from secretariat import commands
from secretariat.keys import keygen
from storage import status
from storage.bootstrap import open_store
from storage.keyfiles import WrongPassphrase, read_public
from storage.keys import ENV_VAR
from storage.ports import NotFound
from storage.retention import Janitor
from storage.sealing import format_fingerprint
from storage.sql import SqlStore

PASSPHRASE = "Leverkusen Härtefall 2026"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 Zzyzx"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(64)


class Office:
    """A key directory and a database holding one submission."""

    def __init__(self, root: Path) -> None:
        self.keys = root / "keys"
        self.url = f"sqlite:///{root / 'antragslotse.db'}"
        self.key_file = self.keys / "secretariat.key"
        self.reference = ""
        self.ids: list[str] = []
        self.application: dict[str, Any] = {}

    @classmethod
    def opened(cls, root: Path) -> Office:
        """Key pairs made and one application submitted."""
        office = cls(root)
        keygen(office.keys, PASSPHRASE)
        keygen(office.keys, PASSPHRASE + " recovery", name="recovery")
        asyncio.run(office.submit())
        return office

    async def store(self) -> SqlStore:
        """The bot's store over this office's database, sealing to both key pairs."""
        pubs = [self.keys / "secretariat.pub", self.keys / "recovery.pub"]
        return await open_store(self.url, key_file=self.keys / "data.json", recipient_files=pubs)

    async def submit(self) -> None:
        """Go through the SQL store like the bot does."""
        store = await self.store()
        try:
            async with store.unit() as unit:
                draft = await unit.save_draft(unit.new_draft("tg:4711", Progress("q")))
                self.ids = [
                    await unit.add_attachment(draft, JPEG, "photo", "image/jpeg"),
                    await unit.add_attachment(draft, PDF, "pdf", "application/pdf"),
                ]
            self.application = {
                "language": "fa",
                "answers": {
                    "name": "Zzyzx Ämirî",
                    "story": {"text": ["سلام"], "lang": "fa"},
                    "passport": {
                        "doc": "uploaded",
                        "files": [
                            {
                                "id": self.ids[1],
                                "kind": "pdf",
                                "size": 30,
                                "mime": "application/pdf",
                            }
                        ],
                    },
                },
            }
            body = json.dumps(self.application, ensure_ascii=False).encode()
            async with store.unit() as unit:
                self.reference = await unit.submit(draft, body, self.ids, urgent=True)
        finally:
            await store.close()


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    """Shared by the module: key derivation is slow on purpose."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(ENV_VAR, raising=False)
        return Office.opened(tmp_path_factory.mktemp("office"))


@pytest.fixture
def document(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """A stand-in for secretariat.document, recording what it was asked to render."""
    seen: list[dict[str, Any]] = []

    def render_summary(application: dict[str, Any], reference: str = "") -> str:
        seen.append({"reference": reference, **application})
        return "Zusammenfassung des Antrags\nSprache: Persisch\n"

    module = types.ModuleType("secretariat.document")
    module.render_summary = render_summary  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "secretariat.document", module)
    return seen


def test_keygen_writes_a_protected_key_pair(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fingerprint = keygen(tmp_path, PASSPHRASE)
    assert fingerprint in capsys.readouterr().out
    assert format_fingerprint(read_public(tmp_path / "secretariat.pub").fingerprint) == fingerprint
    assert stat.S_IMODE((tmp_path / "secretariat.key").stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        keygen(tmp_path, PASSPHRASE)
    with pytest.raises(ValueError, match="passphrase"):
        keygen(tmp_path / "other", "short")


def test_list_shows_the_queue(office: Office) -> None:
    listed = commands.list_queue(office.url)
    assert [(s.reference, s.urgent, s.status) for s in listed] == [(office.reference, True, "new")]


def test_show_decrypts_the_application(office: Office) -> None:
    shown = commands.show(office.url, office.reference, office.key_file, PASSPHRASE)
    assert shown["application"] == office.application
    assert [(a["id"], a["size"]) for a in shown["attachments"]] == [
        (office.ids[1], len(PDF)),
        (office.ids[0], len(JPEG)),
    ]
    recovered = commands.show(
        office.url, office.reference, office.keys / "recovery.key", PASSPHRASE + " recovery"
    )
    assert recovered["application"] == office.application


@pytest.mark.parametrize(
    ("reference", "passphrase", "error"),
    [("LEV-1999-0001", PASSPHRASE, NotFound), (None, "wrong passphrase!", WrongPassphrase)],
)
def test_show_refuses(
    office: Office, reference: str | None, passphrase: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        commands.show(office.url, reference or office.reference, office.key_file, passphrase)


def test_export_writes_application_attachments_summary_and_pdf(
    office: Office, tmp_path: Path, document: list[dict[str, Any]]
) -> None:
    out = tmp_path / "export"
    written = commands.export(office.url, office.reference, out, office.key_file, PASSPHRASE)
    pdf_name, jpeg_name = f"1-{office.ids[1]}.pdf", f"2-{office.ids[0]}.jpg"
    expected = {
        "application.json",
        f"attachments/{pdf_name}",
        f"attachments/{jpeg_name}",
        commands.SUMMARY,
        commands.FORM,
    }
    assert {p.relative_to(out).as_posix() for p in written} == expected
    text = (out / "application.json").read_text(encoding="utf-8")
    assert json.loads(text) == office.application
    assert "Zzyzx Ämirî" in text and "سلام" in text and '\n  "language"' in text
    assert (out / "attachments" / pdf_name).read_bytes() == PDF
    assert (out / "attachments" / jpeg_name).read_bytes() == JPEG
    assert (out / commands.SUMMARY).read_text(encoding="utf-8").startswith("Zusammenfassung")
    assert document == [{"reference": office.reference, **office.application}]
    form = PdfReader(out / commands.FORM)
    cover = " ".join(" ".join(page.extract_text().split()) for page in form.pages)
    assert office.reference in cover and "Persisch (fa)" in cover
    assert cover.count("nicht lesbar oder leer") == 2  # the stand-in files are no real PDF/JPEG
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)
    with pytest.raises(FileExistsError):
        commands.export(office.url, office.reference, out, office.key_file, PASSPHRASE)


def test_export_repeats_the_queues_hint_on_the_pdf(
    office: Office, tmp_path: Path, document: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = commands.list_queue(office.url)
    earlier = [dataclasses.replace(s, repeat_of=("LEV-2025-0007",)) for s in listed]
    monkeypatch.setattr(commands, "list_queue", lambda url: earlier)
    commands.export(office.url, office.reference, tmp_path / "out", office.key_file, PASSPHRASE)
    form = PdfReader(tmp_path / "out" / commands.FORM)
    cover = " ".join(form.pages[0].extract_text().split())
    assert "Wiederholungsfall: gleicher Name und gleiches Geburtsdatum wie LEV-2025-0007" in cover


def test_missing_database_is_reported(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        commands.list_queue(f"sqlite:///{tmp_path / 'nope.db'}")
    assert not (tmp_path / "nope.db").exists()


def test_commands_do_not_import_aiogram() -> None:
    code = "import sys, secretariat.commands, secretariat.keys; print('aiogram' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout.strip() == "False"


async def add_addendum(office: Office, body: bytes, letter: bytes) -> None:
    """A Nachtrag through the SQL store, like the bot sends one."""
    store = await office.store()
    try:
        async with store.unit() as unit:
            draft = await unit.save_draft(unit.new_draft("tg:4711", Progress("q")))
            ids = [await unit.add_attachment(draft, letter, "pdf", "application/pdf")]
        async with store.unit() as unit:
            assert await unit.add_addendum(draft, office.reference, body, ids) == 1
    finally:
        await store.close()


def test_a_nachtrag_is_shown_and_exported_beside_its_application(tmp_path: Path) -> None:
    office = Office.opened(tmp_path)
    addendum = {"addendum_to": office.reference, "language": "fa", "sections": [
        {"id": "addendum", "title": "New facts or documents", "entries": [
            {"path": "addendum_facts", "label": "What is new", "kind": "story",
             "value": {"text": ["کار جدید Nachtrag-Zzyzx"], "lang": "fa"}}]}]}
    body = json.dumps(addendum, ensure_ascii=False).encode()
    asyncio.run(add_addendum(office, body, PDF + b" letter"))

    shown = commands.show(office.url, office.reference, office.key_file, PASSPHRASE)
    assert [a["number"] for a in shown["addenda"]] == [1]
    assert shown["addenda"][0]["application"] == addendum
    assert [e.addenda for e in commands.list_queue(office.url)] == [1]

    steps: list[tuple[int, int, str]] = []
    out = tmp_path / "export"
    written = commands.export(office.url, office.reference, out, office.key_file, PASSPHRASE,
                              lambda done, total, name: steps.append((done, total, name)))
    names = {p.relative_to(out).as_posix() for p in written}
    assert {"nachtrag-1/addendum.json", "nachtrag-1/zusammenfassung.txt",
            "nachtrag-1/nachtrag.pdf"} <= names
    letters = list((out / "nachtrag-1" / "attachments").iterdir())
    assert [f.read_bytes() for f in letters] == [PDF + b" letter"]
    assert [s[0] for s in steps] == list(range(1, len(written) + 1))  # one step per file
    assert {s[1] for s in steps} == {len(written)}
    form = " ".join((PdfReader(out / commands.FORM).pages[0].extract_text() or "").split())
    assert "Nachträge" in form and "Nachtrag 1" in form and "nachtrag-1/" in form
    extra = " ".join(" ".join((p.extract_text() or "").split())
                     for p in PdfReader(out / "nachtrag-1" / "nachtrag.pdf").pages)
    assert "Nachtrag zum Antrag" in extra and office.reference in extra
    assert "Nachtrag-Zzyzx" in extra


async def purge(office: Office, acknowledged: dt.datetime | None, before: dt.datetime) -> None:
    """The bot's retention sweep: sealed contents leave after the secretariat has them."""
    store = await office.store()
    try:
        if acknowledged:
            await status.change(store.engine, office.reference, status.RECEIVED, "GS-1",
                                now=acknowledged)
        await Janitor(store).purge_sealed(before)
    finally:
        await store.close()


def test_after_the_retention_period_only_later_nachtraege_are_exported(tmp_path: Path) -> None:
    office = Office.opened(tmp_path)
    now = dt.datetime.now(dt.UTC)
    asyncio.run(purge(office, now - dt.timedelta(days=40), now - dt.timedelta(days=30)))
    addendum = {"addendum_to": office.reference, "language": "de", "sections": []}
    asyncio.run(add_addendum(office, json.dumps(addendum).encode(), PDF))

    shown = commands.show(office.url, office.reference, office.key_file, PASSPHRASE)
    assert shown["application"] is None and [a["number"] for a in shown["addenda"]] == [1]
    out = tmp_path / "export"
    written = commands.export(office.url, office.reference, out, office.key_file, PASSPHRASE)
    assert {p.relative_to(out).parts[0] for p in written} == {"nachtrag-1"}

    asyncio.run(purge(office, None, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)))
    with pytest.raises(commands.Purged):  # exported, then purged: nothing left to show
        commands.show(office.url, office.reference, office.key_file, PASSPHRASE)
