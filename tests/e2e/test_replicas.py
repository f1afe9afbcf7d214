"""Two bot replicas in webhook mode on one PostgreSQL, fed alternately: nothing lost, nothing twice.

Three applicants each send their whole application at once — every answer, every button —
without waiting for a reply. The local Bot API server posts each person's updates one at a
time (as Telegram does per chat), alternating between the two replicas, and posts some
updates a second time while the first delivery is still running (as Telegram does after a
timeout). Each application must arrive exactly once, every answer in its place, in order.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.callbacks import Tap
from dialogs import engine, flow
from dialogs.application import application
from dialogs.content import INTERVIEW, author
from dialogs.inputs import Action, Input, Press, Say
from dialogs.model import Kind
from dialogs.progress import REVIEW, Progress
from dialogs.types import Role
from secretariat.keys import keygen
from storage.keys import Keyring, write_key_file
from tests.e2e.applicant import CHOICES, DATES, MULTI, NUMBERS, TEXTS
from tests.e2e.conftest import PG_URL, fresh_postgres
from tests.e2e.test_full_application import ROOT
from tests.e2e.test_webhook import PATH, free_port, get, webhook_environment
from tests.telegram.process import BotProcess
from tests.telegram.server import BotAPIServer
from tests.telegram.users import Sent, User

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="TEST_DATABASE_URL not set: the replicas need one shared PostgreSQL")
PASSPHRASE = "replica-test-passphrase"
PEOPLE = {5001: "Ana", 5002: "Bilal", 5003: "Chiara"}


def script(marker: str, today: dt.date) -> tuple[list[Input], Progress]:
    """Every input of a whole application (files put off till later), and where it ends."""
    progress, inputs = engine.start(INTERVIEW, "de"), []
    while not progress.cursor.startswith("@"):
        for event in answer(progress, marker):
            role = author(dict(progress.answers), Role.APPLICANT)
            outcome = engine.handle(INTERVIEW, progress, event, today, role)
            assert not outcome.submit
            progress = outcome.progress
            inputs.append(event)
    assert progress.cursor == REVIEW and engine.ready(INTERVIEW, progress, today)
    return [*inputs, Press(REVIEW, Action.SUBMIT)], progress


def answer(progress: Progress, marker: str) -> list[Input]:
    """What the scripted applicant of ``tests.e2e.applicant`` answers, without files."""
    step = flow.locate(INTERVIEW, progress.cursor)
    assert step is not None, progress.cursor
    path, kind = step.path, step.question.kind
    if kind is Kind.INFO:
        return [Press(path, Action.NEXT)]
    if kind is Kind.CHOICE:
        return [Press(path, Action.PICK, CHOICES.get(path, step.question.choices[0].id))]
    if kind is Kind.MULTI:
        return [*(Press(path, Action.TOGGLE, c) for c in MULTI[path]), Press(path, Action.DONE)]
    if kind is Kind.DOCUMENT:
        return [Press(path, Action.LATER)]
    if kind is Kind.STORY:
        return [Say(f"{marker}: {path}"), Press(path, Action.DONE)]
    if kind is Kind.DATE:
        return [Say(DATES.get(path, "03/2016"))]
    if kind is Kind.NUMBER:
        return [Say(NUMBERS[path])]
    if kind is Kind.PHONE:
        return [Say(TEXTS.get(path, "+49 176 12345678"))]
    return [Say(f"{TEXTS.get(path, 'Antwort')} {marker}")]


def send(user: User, event: Input, tapped: int) -> Sent:
    if isinstance(event, Say):
        return user.send_text(event.text)
    assert isinstance(event, Press)
    return user.click(tapped, Tap(path=event.path, action=event.action.value,
                                  value=event.value).pack())


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """A fresh PostgreSQL database, migrated once by `antragslotse migrate` (as in deploy/)."""
    async with fresh_postgres("antragslotse_replicas") as url:
        assert "up to date" in await asyncio.to_thread(cli, url, "migrate")
        yield url


def cli(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "ANTRAGSLOTSE_PASSPHRASE": PASSPHRASE}
    done = subprocess.run([sys.executable, "-m", "antragslotse", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def shared_keys(directory: Path) -> dict[str, str]:
    """What every replica must share: the draft keys and the recipients' public keys."""
    write_key_file(directory / "keys.json", Keyring.generate())
    for name in ("secretariat", "recovery"):
        keygen(directory, PASSPHRASE, name)
    return {"ANTRAGSLOTSE_KEY_FILE": str(directory / "keys.json"),
            "ANTRAGSLOTSE_SECRETARIAT_PUBLIC_KEY": str(directory / "secretariat.pub"),
            "ANTRAGSLOTSE_RECOVERY_PUBLIC_KEY": str(directory / "recovery.pub")}


async def replay_in_flight(server: BotAPIServer, sent: list[Sent]) -> int:
    """Post every fifth update again the moment its first delivery is on its way."""
    chosen = sent[3::5]
    for item in chosen:
        await server.wait(lambda i=item: server.deliveries.get(i.update_id), 60, "a delivery")
        server.replay(item.update)
    return len(chosen)


async def test_two_replicas_lose_nothing_and_submit_once(
    tmp_path: Path, database: str
) -> None:
    today = dt.date.today()
    keys = shared_keys(tmp_path / "keys")
    ports = [free_port(), free_port()]
    async with BotAPIServer() as server:
        extra = {"DATABASE_URL": database, **keys, "ANTRAGSLOTSE_THROTTLE_BURST": "1000",
                 **({"REDIS_URL": os.environ["TEST_REDIS_URL"]}
                    if os.environ.get("TEST_REDIS_URL") else {})}
        envs = [webhook_environment(server, tmp_path / f"data{i}", port, **extra)
                for i, port in enumerate(ports)]
        server.webhook_targets = [f"http://127.0.0.1:{port}{PATH}" for port in ports]
        bots = [BotProcess(tmp_path / "logs", env, cwd=ROOT, name=f"replica{i}")
                for i, env in enumerate(envs)]
        for bot in bots:
            server.diagnostics.append(bot.describe)
        await asyncio.gather(*(bot.start() for bot in bots))
        try:
            await server.wait(lambda: len(server.calls_of("setWebhook")) >= 2, 60, "replicas")
            users = {uid: server.user(uid, first_name=name, language_code="de")
                     for uid, name in PEOPLE.items()}
            expected: dict[int, Progress] = {}
            sent: dict[int, list[Sent]] = {}
            for uid, user in users.items():
                user.send_command("/start")
                user.click(await user.next_message(timeout=30), "l:de")
                tapped = (await user.next_message(timeout=30)).message_id  # any bot message
                inputs, expected[uid] = script(PEOPLE[uid], today)
                sent[uid] = [send(user, event, tapped) for event in inputs]
                sent[uid].append(send(user, inputs[-1], tapped))  # a double tap
            replayed = await asyncio.gather(*(replay_in_flight(server, s) for s in sent.values()))
            every = {s.update_id for chat in sent.values() for s in chat}
            await server.wait(lambda: every <= server.webhook.delivered, 180, "every update")
            references = {}
            for uid, user in users.items():
                done = await user.messages_until(lambda m: "LEV-" in m.text, timeout=60)
                found = re.search(r"LEV-\d{4}-\d{4}", done[-1].text)
                assert found is not None
                references[uid] = found.group()
            assert server.pending_updates == [] and sum(replayed) >= 3 * 10
            handled = [await get(port, "/metrics") for port in ports]
        finally:
            await asyncio.gather(*(bot.terminate() for bot in bots))
        assert [bot.returncode for bot in bots] == [0, 0]
        for _, metrics in handled:  # both replicas did their share
            assert re.search(r'updates_total\{kind="message",outcome="handled"\} [1-9]', metrics)

    queue = cli(database, "secretariat", "list")
    assert queue.count("LEV-") == len(PEOPLE)  # one application each: the double tap did not
    assert len(set(references.values())) == len(PEOPLE)
    for uid, reference in references.items():
        out = tmp_path / "export" / reference
        cli(database, "secretariat", "export", reference, str(out),
            "--key", str(tmp_path / "keys" / "secretariat.key"))
        got = json.loads((out / "application.json").read_text(encoding="utf-8"))
        wanted = application(INTERVIEW, expected[uid], today)
        assert got["sections"] == wanted["sections"], f"{PEOPLE[uid]}: answers out of order"
