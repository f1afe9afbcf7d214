"""The real bot in webhook mode, over real HTTP: the secret, replays, Telegram's faults, a crash.

The local Bot API server posts updates to the bot's webhook the way Telegram does (one at a
time per chat, a failed delivery again after a pause). The bot must refuse posts without
the secret token, answer only after the update was handled, apply a re-sent update once,
ride out 429, 5xx and timeouts, and lose nothing when it dies mid-update.
"""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import aiohttp

from tests.e2e.applicant import Applicant, path_of
from tests.e2e.test_full_application import ROOT, environment
from tests.telegram.process import BotProcess
from tests.telegram.server import BotAPIServer
from tests.telegram.store import BotMessage
from tests.telegram.users import User

SECRET = "e2e-webhook-secret_0123456789"
PATH = "/telegram/hook"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_environment(server: BotAPIServer, data: Path, port: int,
                        **extra: str) -> dict[str, str]:
    return {**environment(server, data), "ANTRAGSLOTSE_MODE": "webhook",
            "ANTRAGSLOTSE_LISTEN": f"127.0.0.1:{port}",
            "ANTRAGSLOTSE_WEBHOOK_URL": f"http://127.0.0.1:{port}{PATH}",
            "ANTRAGSLOTSE_WEBHOOK_SECRET": SECRET, "ANTRAGSLOTSE_TELEGRAM_TIMEOUT": "2",
            **extra}


async def get(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, \
            session.get(f"http://127.0.0.1:{port}{path}") as response:
        return response.status, await response.text()


async def wait_webhook(server: BotAPIServer, since: int = 0) -> None:
    """Until the bot (again) told the server where to post."""
    await server.wait(lambda: len(server.calls_of("setWebhook")) > since, 60, "setWebhook")


async def to_question(me: Applicant, path: str) -> BotMessage:
    me.user.send_command("/start")
    picker = await me.user.next_message()
    me.user.click(picker, "l:de")
    screen = await me.screen()
    while path_of(screen) != path:
        screen = await me.answer(screen)
    return screen


def metric(text: str, sample: str) -> float:
    found = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    assert found is not None, sample
    return float(found.group(1))


async def test_webhook_secret_replay_faults_health_and_metrics(tmp_path: Path) -> None:
    port = free_port()
    async with BotAPIServer() as server:
        user = server.user(4711, first_name="Amira", language_code="de")
        me = Applicant(user)
        env = webhook_environment(server, tmp_path / "data", port)
        async with BotProcess(tmp_path / "logs", env, cwd=ROOT) as bot:
            server.diagnostics.append(bot.describe)
            await wait_webhook(server)
            [call] = server.calls_of("setWebhook")
            assert call.params["secret_token"] == SECRET
            assert call.params["allowed_updates"] == ["message", "callback_query"]
            assert call.params["url"] == f"http://127.0.0.1:{port}{PATH}"
            await to_question(me, "persons.0.family_name")

            # Without the secret token, or with a wrong one: 401, and nothing happens.
            family = user.compose_text("Zuhra-Marker")
            assert (await server.webhook.post(family)).status == 401
            assert (await server.webhook.post(family, secret=SECRET[:-1] + "X")).status == 401
            await user.assert_no_message(0.5)
            assert (await server.webhook.post(family, secret=SECRET)).status == 200
            assert path_of(await me.screen()) == "persons.0.given_names"
            # The same update once more (Telegram re-sends): the screen again, applied once.
            assert (await server.webhook.post(family, secret=SECRET)).status == 200
            assert path_of(await me.screen()) == "persons.0.given_names"

            # 429: wait as long as Telegram asks, then the answer arrives.
            server.fail_next("sendMessage", 429, retry_after=1)
            started = time.monotonic()
            me.say("Amira")
            assert path_of(await me.screen()) == "persons.0.birth_date"
            assert time.monotonic() - started >= 1.0
            # 5xx twice, then a call that hangs past the timeout: retried, shown once.
            server.fail_next("sendMessage", 502, times=2)
            me.say("14.03.1990")
            screen = await me.screen()
            server.stall_next("sendMessage", 6.0)
            screen = await me.answer(screen)
            await user.assert_no_message(0.3)
            # Telegram wants a long pause: the bot does not block; the update fails (500),
            # Telegram sends it again, the intake shows the screen once more — nothing lost.
            server.fail_next("sendMessage", 429, retry_after=300, times=3)
            sent = me.say("Irak")
            after = await me.screen(timeout=30)
            assert path_of(after) not in (path_of(screen), None)
            await server.wait_delivered(sent.update_id)
            posts = [d.status for d in server.webhook_log if d.update_id == sent.update_id]
            assert posts == [500, 200]
            await user.assert_no_message(0.3)  # the next question, exactly once

            status, body = await get(port, "/healthz")
            assert status == 200 and '"status": "ok"' in body
            status, text = await get(port, "/metrics")
            assert status == 200
            assert metric(text, 'antragslotse_updates_total{kind="message",outcome="handled"}') > 5
            assert metric(text, 'antragslotse_updates_total{kind="callback_query",'
                                'outcome="handled"}') > 3
            assert metric(text, 'antragslotse_webhook_rejected_total{reason="secret"}') == 2
            for fault in ("429", "5xx", "timeout"):
                sample = ('antragslotse_telegram_retries_total'
                          f'{{fault="{fault}",method="SendMessage"}}')
                assert metric(text, sample) >= 1
            assert metric(text, "antragslotse_drafts_active") == 1
            assert "4711" not in text and "Marker" not in text and "Amira" not in text
        assert server.calls_of("getUpdates") == []
        assert "Amira" not in bot.logs() and "Zuhra" not in bot.logs()


async def test_a_bot_killed_mid_update_gets_it_again(tmp_path: Path) -> None:
    port = free_port()
    async with BotAPIServer() as server:
        env = webhook_environment(server, tmp_path / "data", port)
        user = server.user(815, language_code="de")
        me = Applicant(user)
        bot = await BotProcess(tmp_path / "logs", env, cwd=ROOT, name="first").start()
        server.diagnostics.append(bot.describe)
        await wait_webhook(server)
        await to_question(me, "persons.0.family_name")
        # The answer is committed, then the reply hangs, and the process dies: Telegram
        # never got its 200 and sends the update again to the restarted bot.
        server.stall_next("sendMessage", 60.0)
        replies = len(server.calls_of("sendMessage"))
        sent = me.say("Zuhra-Marker")
        await server.wait(lambda: len(server.calls_of("sendMessage")) > replies, 10, "reply")
        await bot.kill()
        reply = server.calls_of("sendMessage")[replies]
        await server.wait(lambda: reply.status == 499, 10, "the reply to be cut off")
        again = await BotProcess(tmp_path / "logs", env, cwd=ROOT, name="second").start()
        server.diagnostics.append(again.describe)
        try:
            await server.wait_delivered(sent.update_id, timeout=60)
            assert path_of(await me.screen()) == "persons.0.given_names"  # applied once
            assert server.deliveries[sent.update_id] >= 2
            me.say("Amira")
            assert path_of(await me.screen()) == "persons.0.birth_date"
        finally:
            await again.terminate()
        assert again.returncode == 0


async def test_a_flood_gets_one_kind_message_then_silence(tmp_path: Path) -> None:
    port = free_port()
    async with BotAPIServer() as server:
        env = webhook_environment(server, tmp_path / "data", port,
                                  ANTRAGSLOTSE_THROTTLE_BURST="4",
                                  ANTRAGSLOTSE_THROTTLE_RATE="0.01")
        user: User = server.user(99, language_code="en")
        async with BotProcess(tmp_path / "logs", env, cwd=ROOT) as bot:
            server.diagnostics.append(bot.describe)
            await wait_webhook(server)
            user.send_command("/help")
            await user.next_message()
            flood = [user.send_text(f"flood {i}") for i in range(12)]
            await server.wait(lambda: all(s.update_id in server.webhook.delivered
                                          for s in flood), 30, "the flood")
            shown = [m.text for m in user.transcript[1:]]
            assert len(shown) == 4  # three answers, then one kind word
            assert shown[-1].startswith("You are sending messages faster")
            user.skip()
            await user.assert_no_message(0.5)
            _, text = await get(port, "/metrics")
            assert metric(text, 'antragslotse_updates_total{kind="message",'
                                'outcome="throttled"}') == 9


async def test_polling_serves_health_and_metrics_on_their_own_port(tmp_path: Path) -> None:
    port = free_port()
    async with BotAPIServer() as server:
        env = {**environment(server, tmp_path / "data"), "ANTRAGSLOTSE_METRICS_PORT": str(port),
               "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}  # Redis away: updates pass
        user = server.user(7, language_code="en")
        async with BotProcess(tmp_path / "logs", env, cwd=ROOT) as bot:
            server.diagnostics.append(bot.describe)
            await server.wait_polling(timeout=60)
            user.send_command("/help")
            await user.next_message()
            status, body = await get(port, "/healthz")
            assert status == 200 and '"database": "ok"' in body
            _, text = await get(port, "/metrics")
            assert metric(text, 'antragslotse_updates_total{kind="message",outcome="handled"}') == 1
            assert metric(text, "antragslotse_outbox_backlog") == 0
            assert metric(text, "antragslotse_throttle_backend_errors_total") == 1
        assert bot.returncode == 0 and server.calls_of("setWebhook") == []
