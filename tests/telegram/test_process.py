"""Self-tests for BotProcess, including a real aiogram bot subprocess that crashes."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from .process import BotProcess
from .server import BotAPIServer

ECHO_BOT = """
import asyncio, logging, os
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

logging.basicConfig(level=logging.INFO)
dispatcher = Dispatcher()

@dispatcher.message()
async def echo(message: Message) -> None:
    await message.answer(f"echo: {message.text}")

async def main() -> None:
    api = TelegramAPIServer.from_base(os.environ["TELEGRAM_API_BASE"])
    bot = Bot(os.environ["BOT_TOKEN"], session=AiohttpSession(api=api))
    await dispatcher.start_polling(bot, polling_timeout=30)

asyncio.run(main())
"""


async def test_process_logs_and_signals(tmp_path: Path) -> None:
    script = "import sys, time; print('ready'); print('oops', file=sys.stderr); time.sleep(60)"
    async with BotProcess(tmp_path, command=[sys.executable, "-c", script]) as proc:
        await proc.wait_for_log(r"oops\n")
        assert "ready" in proc.logs() and proc.returncode is None
        assert await proc.terminate() == -signal.SIGTERM
    assert (tmp_path / "bot.stdout.log").read_text() == "ready\n"
    assert (tmp_path / "bot.stderr.log").read_text() == "oops\n"
    async with BotProcess(tmp_path, command=[sys.executable, "-c", script], name="b") as proc:
        await proc.wait_for_log("ready")
        assert await proc.kill() == -signal.SIGKILL
    async with BotProcess(tmp_path, command=[sys.executable, "-c", "exit(3)"], name="c") as p:
        assert await p.wait() == 3


async def test_real_bot_survives_crash_and_restart(
    bot_api: BotAPIServer, tmp_path: Path
) -> None:
    (tmp_path / "echo_bot.py").write_text(ECHO_BOT)
    env = {"TELEGRAM_API_BASE": bot_api.base_url, "BOT_TOKEN": bot_api.token}
    command = [sys.executable, str(tmp_path / "echo_bot.py")]
    user = bot_api.user(2001, first_name="Lena", language_code="de")
    async with BotProcess(tmp_path / "logs", env, command=command, name="first") as first:
        bot_api.diagnostics.append(first.describe)
        await bot_api.wait_polling(timeout=20)
        user.send_text("eins")
        assert (await user.next_message()).text == "echo: eins"
        await first.wait_for_log("Update id=.* is handled")
        assert await first.kill() == -signal.SIGKILL
    missed = user.send_text("zwei")  # arrives while the bot is down
    async with BotProcess(tmp_path / "logs", env, command=command, name="second") as second:
        bot_api.diagnostics.append(second.describe)
        assert (await user.next_message(timeout=20)).text == "echo: zwei"
        await bot_api.wait_confirmed(missed.update_id)
        assert await second.terminate() == 0
    assert "Polling stopped" in second.logs()
    assert bot_api.unknown_calls == []
    assert (tmp_path / "logs" / "first.stderr.log").exists()
