"""Commands that need no Telegram never import aiogram (it alone takes seconds to import)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import contextlib, io, json, sys
from antragslotse.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        main(sys.argv[1:])
    except SystemExit as end:
        code = end.code
print(json.dumps({"aiogram": "aiogram" in sys.modules, "code": code, "help": out.getvalue()}))
"""


@pytest.mark.parametrize("command", [
    ["secretariat", "--help"], ["secretariat", "list", "--help"], ["keys", "--help"],
    ["console", "--help"],
])
def test_commands_without_telegram_do_not_import_aiogram(command: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, *command], cwd=ROOT, timeout=120,
                          capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["code"] == 0 and "usage: antragslotse" in seen["help"]
    assert seen["aiogram"] is False
