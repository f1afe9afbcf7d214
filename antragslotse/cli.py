"""The ``antragslotse`` command: run the bot, the console, the secretariat's tools.

Each subcommand imports what it needs when it runs: the secretariat's tools and the
console never import aiogram, so they start fast.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

PASSPHRASE_VARIABLE = "ANTRAGSLOTSE_PASSPHRASE"
SECRETS_VARIABLE = "ANTRAGSLOTSE_SECRETS_DIR"
STATUSES = ("new", "received", "info_requested", "agenda", "recommended", "withdrawn")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="antragslotse", description=(
        "Hardship applications to Leverkusen's advisory board on residence law."))
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the Telegram bot (long polling, or a webhook server)")
    commands.add_parser("migrate", help="bring the database schema up to date, then exit")
    console = commands.add_parser("console", help="run the interview in this terminal")
    console.add_argument("--language", default="de", help="interface language (default: de)")
    console.add_argument("--staff", default="", help="recording in person: your name")
    console.add_argument("--interpreter", default="", help="recording in person: interpreter")
    commands.add_parser("diagram", help="print the interview as a Mermaid flowchart")
    keys = commands.add_parser("keys", help="the drafts' key-encryption keys")
    keys.add_argument("action", choices=["init", "status", "rotate", "retire"])
    desk = commands.add_parser("secretariat", help="the secretariat's tools").add_subparsers(
        dest="action", required=True)
    keygen = desk.add_parser("keygen", help="create a passphrase-protected key pair")
    keygen.add_argument("directory", type=Path)
    keygen.add_argument("--name", default="secretariat", help="secretariat or recovery")
    listing = desk.add_parser("list", help="list the queue (urgent first)")
    listing.add_argument("--status", choices=STATUSES, help="only this status")
    listing.add_argument("--since", type=dt.date.fromisoformat, help="submitted on or after")
    change = desk.add_parser("status", help="move an application on (recorded with who/when)")
    change.add_argument("reference")
    change.add_argument("status", choices=STATUSES[1:])
    change.add_argument("--by", required=True, help="your staff handle, e.g. GS-1")
    change.add_argument("--meeting", type=dt.date.fromisoformat, help="meeting date (agenda)")
    change.add_argument("--missing", default="", help="info_requested: missing checklist items, "
                        "comma-separated, e.g. doc_id,doc_paper")
    trail = desk.add_parser("history", help="the audit trail of an application")
    trail.add_argument("reference")
    show = desk.add_parser("show", help="decrypt and show one application")
    show.add_argument("reference")
    show.add_argument("--key", type=Path, required=True, help="the private key file")
    export = desk.add_parser("export", help="decrypt one application into a folder")
    export.add_argument("reference")
    export.add_argument("directory", type=Path)
    export.add_argument("--key", type=Path, required=True, help="the private key file")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from antragslotse import logs
    from antragslotse.settings import Settings

    # Secrets may also come as files named like the variables (BOT_TOKEN, DATABASE_URL,
    # ANTRAGSLOTSE_WEBHOOK_SECRET): Docker's /run/secrets, systemd's credentials directory.
    settings = Settings(_secrets_dir=os.environ.get(SECRETS_VARIABLE) or None)
    logs.configure(settings.log_level, settings.log_format)
    try:
        return _dispatch(args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if type(exc).__name__ in _EXPLAINED:
            print(f"antragslotse: {exc}", file=sys.stderr)
            return 2
        raise


_EXPLAINED = {
    "Purged", "SetupError", "InvalidTransition", "KeyMissing", "ProfileError", "DefinitionError",
    "WrongPassphrase", "NotFound", "FileExistsError", "FileNotFoundError",
    "DatabaseMisconfigured", "ValidationError", "ValueError",
}


def _dispatch(args: argparse.Namespace, settings: object) -> int:
    from antragslotse.settings import Settings

    assert isinstance(settings, Settings)
    if args.command == "run":
        from bot.app import run

        asyncio.run(run(settings))
    elif args.command == "migrate":
        asyncio.run(_migrate(settings.database_url))
    elif args.command == "console":
        from console.session import run_console

        asyncio.run(run_console(settings, args.language, args.staff, args.interpreter))
    elif args.command == "keys":
        from antragslotse import keys

        print(getattr(keys, args.action)(settings))
    elif args.command == "diagram":
        from dialogs.content import INTERVIEW
        from dialogs.diagram import mermaid

        print(mermaid(INTERVIEW), end="")
    else:
        return _secretariat(args, settings)
    return 0


def _secretariat(args: argparse.Namespace, settings: object) -> int:
    from antragslotse.settings import Settings
    from secretariat import commands
    from secretariat.keys import keygen

    assert isinstance(settings, Settings)
    url = settings.database_url
    if args.action == "keygen":
        first = _passphrase("New passphrase: ")
        if PASSPHRASE_VARIABLE not in os.environ and first != getpass.getpass("Repeat it: "):
            print("The passphrases differ.", file=sys.stderr)
            return 2
        keygen(args.directory, first, args.name)
    elif args.action == "list":
        from secretariat.flow import filtered
        from secretariat.tables import colours_wanted, queue_table

        print(queue_table(filtered(url, args.status, args.since), colours_wanted()))
    elif args.action == "status":
        from secretariat.flow import set_status

        missing = tuple(x.strip() for x in args.missing.split(",") if x.strip())
        print(set_status(url, args.reference, args.status, args.by, args.meeting, missing))
    elif args.action == "history":
        from secretariat.flow import history

        print(history(url, args.reference))
    elif args.action == "show":
        from secretariat.document import render_summary

        shown = commands.show(url, args.reference, args.key, _passphrase("Passphrase: "))
        if shown["application"] is None:
            print(f"Antrag {shown['reference']}: Inhalt nach Ablauf der Aufbewahrungsfrist aus "
                  "der Datenbank des Bots entfernt (bitte die exportierte Kopie verwenden).")
        else:
            print(render_summary(shown["application"], shown["reference"]))
        for addendum in shown["addenda"]:
            at = addendum["submitted_at"].astimezone().strftime("%d.%m.%Y, %H:%M Uhr")
            print(f"\n\nNachtrag {addendum['number']} (eingegangen am {at})\n")
            print(render_summary(addendum["application"], shown["reference"]))
    elif args.action == "export":
        passphrase = _passphrase("Passphrase: ")
        print(f"Entschlüssele und schreibe {args.reference} nach {args.directory} …",
              file=sys.stderr)
        paths = commands.export(url, args.reference, args.directory, args.key, passphrase,
                                _progress(sys.stderr))
        print("\n".join(str(p) for p in paths))
        print(f"{len(paths)} Dateien geschrieben.", file=sys.stderr)
    return 0


def _progress(stream: TextIO) -> Callable[[int, int, str], None]:
    """A progress bar on a terminal (redrawn in place); nothing when piped or in a log."""
    def show(done: int, total: int, name: str) -> None:
        if not stream.isatty():
            return
        width = 24
        filled = width * done // max(total, 1)
        bar = "█" * filled + "·" * (width - filled)
        stream.write(f"\r\033[K[{bar}] {done}/{total} {name[-40:]}")
        if done == total:
            stream.write("\n")
        stream.flush()
    return show


async def _migrate(url: str) -> None:
    """Before several replicas start (or after an upgrade): one process migrates."""
    from storage import database

    engine = database.create_engine(url)
    try:
        await database.verify(engine)
        await database.migrate(engine)
    finally:
        await engine.dispose()
    print("database schema is up to date")


def _passphrase(prompt: str) -> str:
    return os.environ.get(PASSPHRASE_VARIABLE) or getpass.getpass(prompt)
