"""Developer tool: ``python -m locales.sync`` extracts msgids and updates every catalog.

English is the source language: its catalog copies each msgid, so it is complete by
construction. Other languages keep their translations; new msgids arrive untranslated
(the catalog test then fails until someone translates them).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from locales.catalogs import DOMAIN, LOCALES_DIR, SOURCE_LANGUAGE, catalog_path

ROOT = LOCALES_DIR.parent
SOURCES = ["dialogs", "antragslotse", "bot", "console", "locales"]
KEYWORDS = ["-k", "N_", "-k", "plural:1,2", "--no-default-keywords"]


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


def extract() -> Path:
    template = LOCALES_DIR / f"{DOMAIN}.pot"
    os.chdir(ROOT)  # relative paths in the catalogs' location comments
    pybabel("extract", "-F", "babel.cfg", *KEYWORDS, "--sort-by-file", "--project=Antragslotse",
            "--version=1", "-o", str(template.relative_to(ROOT)), *SOURCES)
    return template


def update(template: Path, languages: list[str]) -> None:
    for code in languages:
        command = "update" if catalog_path(code).is_file() else "init"
        pybabel(command, "-i", str(template), "-d", str(LOCALES_DIR), "-D", DOMAIN, "-l", code,
                *(["--no-fuzzy-matching", "--ignore-obsolete"] if command == "update" else []))
    _fill_source_language()


def _fill_source_language() -> None:
    path = catalog_path(SOURCE_LANGUAGE)
    with path.open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
    with path.open("wb") as f:
        write_po(f, catalog, width=100)


def main(argv: list[str]) -> int:
    existing = sorted(p.parent.parent.name for p in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    languages = sorted(set(existing) | set(argv) | {SOURCE_LANGUAGE})
    update(extract(), languages)
    print(f"updated: {', '.join(languages)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
