"""The real bot as a process, over real HTTP: a whole application, a crash, an edit, a hand-off.

Runs `antragslotse run` against the local Bot API server, completes an application with a
photo, a PDF and a voice note, kills the bot mid-way and restarts it, edits an answer from
the review, submits (twice, by a double tap), exports it with the secretariat's command,
and scans the database, its WAL and the logs for the answers typed: none may be there.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.e2e.applicant import JPEG, LETTER, PDF, VOICE, Applicant, button, path_of
from tests.e2e.conftest import database_bytes
from tests.telegram.process import BotProcess
from tests.telegram.server import BotAPIServer

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "e2e-test-passphrase-123"
LANGUAGE = "de"


def environment(server: BotAPIServer, data: Path, database_url: str = "") -> dict[str, str]:
    # The scripted applicants answer faster than any person: the flood limit stays out of
    # their way (tests/e2e/test_webhook.py tests it).
    return {"TELEGRAM_API_BASE": server.base_url, "BOT_TOKEN": server.token,
            "ANTRAGSLOTSE_DATA_DIR": str(data), "ANTRAGSLOTSE_DEV_PASSPHRASE": PASSPHRASE,
            "ANTRAGSLOTSE_POLLING_TIMEOUT": "5", "DATABASE_URL": database_url,
            "ANTRAGSLOTSE_THROTTLE_BURST": "1000"}


def secretariat(data: Path, *args: str, database_url: str = "") -> str:
    env = {**os.environ, "ANTRAGSLOTSE_DATA_DIR": str(data), "ANTRAGSLOTSE_PASSPHRASE": PASSPHRASE,
           "DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-m", "antragslotse", "secretariat", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def stored_bytes(data: Path, logs: Path, database_url: str = "") -> bytes:
    files = [*data.glob("antragslotse.db*"), *logs.glob("*.log")]
    dumped = await database_bytes(database_url) if database_url else b""
    return b"".join(f.read_bytes() for f in files) + dumped


async def assert_nothing_readable(typed: list[str], data: Path, logs: Path,
                                  database_url: str = "") -> None:
    haystack = await stored_bytes(data, logs, database_url)
    distinctive = [t for t in typed if len(t) >= 6]  # "25" occurs in any binary file
    assert len(distinctive) > 20
    for needle in [*distinctive, "PDF-MARKER-5531"]:
        assert needle.encode() not in haystack, f"found in plain text: {needle!r}"


async def test_a_whole_application_survives_a_crash_and_reaches_the_secretariat(
    tmp_path: Path, database_url: str
) -> None:
    data, logs = tmp_path / "data", tmp_path / "logs"
    async with BotAPIServer() as server:
        env = environment(server, data, database_url)
        user = server.user(4711, first_name="Amira", language_code=LANGUAGE)
        me = Applicant(user)
        bot = await BotProcess(logs, env, cwd=ROOT, name="bot1").start()
        server.diagnostics.append(bot.describe)
        await server.wait_polling(timeout=60)
        assert {c.params.get("language_code") for c in server.calls_of("setMyCommands")} >= {
            None, "de"}

        user.send_command("/start")
        picker = await user.next_message()
        assert picker.buttons[0][0][1] == f"l:{LANGUAGE}"  # Telegram's language first
        user.click(picker, f"l:{LANGUAGE}")
        screen = await me.screen()
        assert path_of(screen) == "welcome" and screen.protect_content

        user.send_sticker()  # a sticker gets a kind hint and the same question again
        hint = await me.screen()
        assert path_of(hint) == "welcome" and hint.text != screen.text

        while path_of(screen) != "arrival":
            screen = await me.answer(screen)

        # The crash: the bot is killed the moment it has taken the answer from the server.
        # Handled or not, the restarted bot gets it again, applies it at most once, and
        # shows the next question.
        update_id = me.say("03/2016").update_id
        await server.wait(lambda: server.deliveries.get(update_id), 10, "delivery")
        await bot.kill()
        polls = server.get_updates_calls
        bot = await BotProcess(logs, env, cwd=ROOT, name="bot2").start()
        server.diagnostics.append(bot.describe)
        await server.wait_polling(timeout=60, since=polls)
        screen = await me.screen()
        assert path_of(screen) == "stay" and "10" in screen.text  # 10 years and 8 months
        assert server.deliveries[update_id] == 2
        await assert_nothing_readable(me.typed, data, logs, database_url)

        user.click(await_first(user), "t:welcome:next:")  # a stale button from long ago
        stale = await me.screen()
        assert path_of(stale) == "stay"

        user.send_command("/start")  # resume shows where the person stopped
        screen = await me.screen()
        assert path_of(screen) == "stay"

        while not (path_of(screen) or "").startswith("@"):
            screen = await me.answer(screen)
        assert path_of(screen) == "@review"
        assert len(user.deleted_message_ids) == 3  # photo, PDF and voice note left the chat

        # An edit from the review returns to the review.
        user.click(screen, button(screen, "section", "residence"))
        section = await me.screen()
        user.click(section, button(section, "edit", "arrival"))
        question = await me.screen()
        assert path_of(question) == "arrival"
        me.say("04/2015")
        section = await me.screen()
        assert path_of(section) == "@review/residence" and "2015" in section.text
        user.click(section, button(section, "review"))
        screen = await me.screen()

        submit = button(screen, "submit")
        user.click(screen, submit)
        user.click(screen, submit)  # a double tap
        done = await me.screen()
        reference = re.search(r"LEV-\d{4}-\d{4}", done.text)
        assert reference is not None and not done.protect_content

        # A Nachtrag: new facts and a letter, sealed to the same reference.
        user.send_command("/add")
        screen = await me.screen()
        assert path_of(screen) == "addendum_intro"
        while not (path_of(screen) or "").startswith("@"):
            screen = await me.answer(screen)
        user.click(screen, button(screen, "submit"))
        added = await me.screen()
        assert reference.group() in added.text and path_of(added) is None
        user.send_command("/start")  # after sending: how to add more, and a new application
        hint = await user.next_message()
        assert reference.group() in hint.text and "/add" in hint.text
        user.send_command("/mydata")  # the sent application and its Nachtrag are listed
        mine = (await user.messages_until(lambda m: reference.group() in m.text
                                          and "gesendet" in m.text))[-1]  # after the picker
        assert "1 Nachtrag wurde später dazu gesendet" in mine.text
        await bot.terminate()
        await assert_nothing_readable(me.typed, data, logs, database_url)

    queue = secretariat(data, "list", database_url=database_url)
    assert queue.count("LEV-") == 1 and reference.group() in queue
    out = tmp_path / "export"
    key = data / "dev-keys" / "secretariat.key"
    secretariat(data, "export", reference.group(), str(out), "--key", str(key),
                database_url=database_url)
    application = json.loads((out / "application.json").read_text(encoding="utf-8"))
    text = json.dumps(application, ensure_ascii=False)
    markers = [typed for typed in me.typed if "Marker" in typed and "Nachtrag" not in typed]
    assert len(markers) > 15 and all(m in text for m in markers)
    assert '"+4917655512345"' in text  # the phone number, normalized
    assert application["language"] == LANGUAGE
    files = sorted((out / "attachments").iterdir())
    assert sorted(f.read_bytes() for f in files) == sorted([JPEG, PDF, VOICE])
    summary = next(out.glob("*.txt")).read_text(encoding="utf-8")
    assert "Beratungsgremium" in summary and "Zuhra-Marker-Familienname" in summary
    assert "04/2015" in summary
    addendum = (out / "nachtrag-1" / "addendum.json").read_text(encoding="utf-8")
    assert json.loads(addendum)["addendum_to"] == reference.group()
    assert "Nachtrag-Marker" in addendum and "Zuhra-Marker" not in addendum
    assert [f.read_bytes() for f in (out / "nachtrag-1" / "attachments").iterdir()] == [LETTER]
    assert (out / "nachtrag-1" / "nachtrag.pdf").read_bytes().startswith(b"%PDF")
    assert "Nachträge" in queue
    shown = secretariat(data, "show", reference.group(), "--key", str(key),
                        database_url=database_url)
    assert "Nachtrag 1 (eingegangen am" in shown and "Nachtrag-Marker" in shown


def await_first(user: object) -> object:
    """The first interview message of the transcript (to press its old button again)."""
    transcript = user.transcript  # type: ignore[attr-defined]
    return next(m for m in transcript if path_of(m) == "welcome")

