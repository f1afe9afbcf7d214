"""Start-up: the bot's way to its first getUpdates, aiogram's bare import, and CLI commands.

The bot is started as ``python -m antragslotse run`` against a local stand-in of the Bot
API (``TELEGRAM_API_BASE``), on a database made by ``antragslotse migrate`` and with the
recipients' public keys given, as in production; the clock runs from spawning the process
to its first getUpdates request. Commands that
need no Telegram are run under ``-X importtime`` to show that they never import aiogram.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.stub import TOKEN

ME = {"id": 1234567, "is_bot": True, "first_name": "Antragslotse", "username": "bench_bot",
      "can_join_groups": False, "can_read_all_group_messages": False,
      "supports_inline_queries": False}


class FakeTelegram:
    """Answers the few methods a starting bot calls; notes the first getUpdates."""

    def __init__(self) -> None:
        self.polled = asyncio.Event()
        self.polled_at = 0.0
        self.runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._method)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.base = f"http://127.0.0.1:{port}"

    async def _method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        result: Any = True
        if method == "getMe":
            result = ME
        elif method == "getUpdates":
            if not self.polled.is_set():
                self.polled_at = time.perf_counter()
                self.polled.set()
            await asyncio.sleep(0.2)
            result = []
        return web.json_response({"ok": True, "result": result})

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


async def bare_import() -> float:
    """Seconds from spawning Python to its exit after ``import aiogram``."""
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "import aiogram")
    if await process.wait() != 0:
        raise RuntimeError("python -c 'import aiogram' failed")
    return time.perf_counter() - started


def environment(data_dir: Path) -> dict[str, str]:
    """A data directory with public keys (no passphrase-protected key generation at start)."""
    from bench.intake import recipient_files

    office, recovery = recipient_files(data_dir / "public-keys")
    env = {**os.environ, "ANTRAGSLOTSE_DATA_DIR": str(data_dir),
           "ANTRAGSLOTSE_SECRETARIAT_PUBLIC_KEY": str(office),
           "ANTRAGSLOTSE_RECOVERY_PUBLIC_KEY": str(recovery), "ANTRAGSLOTSE_LOG_LEVEL": "WARNING"}
    for name in ("DATABASE_URL", "REDIS_URL", "ANTRAGSLOTSE_KEYS", "BOT_TOKEN",
                 "TELEGRAM_API_BASE"):
        env.pop(name, None)
    return env


async def bot_start(telegram: FakeTelegram, base_env: dict[str, str]) -> float:
    """Seconds from spawning ``antragslotse run`` to its first getUpdates."""
    env = {**base_env, "BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": telegram.base}
    telegram.polled.clear()
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "antragslotse", "run", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        waiting = asyncio.create_task(telegram.polled.wait())
        exited = asyncio.create_task(process.wait())
        await asyncio.wait({waiting, exited}, timeout=120,
                           return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        exited.cancel()
        if not telegram.polled.is_set():
            assert process.stderr is not None
            error = (await process.stderr.read()).decode(errors="replace")[-2000:]
            raise RuntimeError(f"the bot did not reach getUpdates:\n{error}")
        return telegram.polled_at - started
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    seconds: float
    imports_aiogram: bool
    status: int


async def cli(argv: tuple[str, ...], env: dict[str, str]) -> Command:
    """Time a command, then run it again under -X importtime to list what it imported."""
    started = time.perf_counter()
    timed = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "antragslotse", *argv, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    status = await timed.wait()
    seconds = time.perf_counter() - started
    traced = await asyncio.create_subprocess_exec(
        sys.executable, "-X", "importtime", "-m", "antragslotse", *argv, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _, err = await traced.communicate()
    modules = [line.rsplit("|", 1)[-1].strip() for line in err.decode().splitlines()
               if line.startswith("import time:")]
    return Command(argv, seconds, any(m.split(".")[0] == "aiogram" for m in modules), status)


async def import_seconds(module: str) -> float:
    """The cumulative import time of one module, from -X importtime."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-X", "importtime", "-c", f"import {module}",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _, err = await process.communicate()
    for line in err.decode().splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1e6
    raise RuntimeError(f"{module} not in the import trace")


async def measure(samples: int) -> dict[str, Any]:
    env = environment(Path(tempfile.mkdtemp(prefix="antragslotse-start-")))
    prepared = await cli(("migrate",), env)  # the database exists before the bot starts
    if prepared.status != 0 or prepared.imports_aiogram:
        raise RuntimeError("antragslotse migrate failed or imported aiogram")
    telegram = FakeTelegram()
    await telegram.start()
    try:
        pairs = []
        for _ in range(samples):
            pairs.append((await bare_import(), await bot_start(telegram, env)))
    finally:
        await telegram.stop()
    commands = [await cli(argv, env) for argv in (
        ("secretariat", "--help"), ("console", "--help"), ("keys", "--help"),
        ("secretariat", "list"), ("keys", "status"))]
    return {"pairs": pairs, "commands": [c.__dict__ for c in commands],
            "settings_import": await import_seconds("antragslotse.settings"),
            "pydantic_settings_import": await import_seconds("pydantic_settings")}


def main() -> None:
    import json

    print(json.dumps(asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3))))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
