"""Run the real bot as a subprocess with captured, searchable logs."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from .wire import Signal

DEFAULT_COMMAND = (sys.executable, "-m", "antragslotse", "run")


class BotProcess:
    """A bot subprocess in its own process group; stdout/stderr go to files in log_dir."""

    def __init__(self, log_dir: Path, env: Mapping[str, str] | None = None,
                 cwd: Path | str | None = None, command: Sequence[str] = DEFAULT_COMMAND,
                 name: str = "bot") -> None:
        self.command = list(command)
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.cwd = cwd
        log_dir.mkdir(parents=True, exist_ok=True)
        self.stdout_path = log_dir / f"{name}.stdout.log"
        self.stderr_path = log_dir / f"{name}.stderr.log"
        self._proc: asyncio.subprocess.Process | None = None
        self._readers: list[asyncio.Task[None]] = []
        self._output = Signal()
        self._text = ""

    @property
    def pid(self) -> int | None:
        """The subprocess id once started."""
        return None if self._proc is None else self._proc.pid

    @property
    def returncode(self) -> int | None:
        """Exit status (negative signal number if killed), None while running."""
        return None if self._proc is None else self._proc.returncode

    async def start(self) -> BotProcess:
        """Launch the command."""
        if self._proc is not None:
            raise RuntimeError("BotProcess already started")
        self._proc = await asyncio.create_subprocess_exec(
            *self.command, env=self.env, cwd=self.cwd, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            start_new_session=True)
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._readers = [
            asyncio.create_task(self._pump(self._proc.stdout, self.stdout_path)),
            asyncio.create_task(self._pump(self._proc.stderr, self.stderr_path)),
        ]
        return self

    async def _pump(self, stream: asyncio.StreamReader, path: Path) -> None:
        """Copy a pipe to its log file and the in-memory log, waking log waiters."""
        with path.open("ab") as sink:
            while chunk := await stream.read(65536):
                sink.write(chunk)
                sink.flush()
                self._text += chunk.decode(errors="replace")
                self._output.fire()
        self._output.fire()

    def logs(self) -> str:
        """Everything captured from stdout and stderr so far (interleaved as received)."""
        return self._text

    async def wait_for_log(self, pattern: str, timeout: float = 10.0) -> re.Match[str]:
        """Wait until a regex matches the captured output."""
        regex = re.compile(pattern)
        try:
            return await self._output.wait_for(lambda: regex.search(self._text), timeout)
        except TimeoutError:
            raise AssertionError(f"no log line matching {pattern!r} within {timeout}s\n"
                                 f"{self.describe()}") from None

    def _signal(self, signum: int) -> None:
        """Send a signal to the whole process group if it is still running."""
        if self._proc is not None and self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signum)

    async def wait(self, timeout: float = 10.0) -> int:
        """Wait for the process to exit by itself; return its exit status."""
        assert self._proc is not None, "not started"
        code = await asyncio.wait_for(self._proc.wait(), timeout)
        _, pending = await asyncio.wait(self._readers, timeout=5.0)
        if pending:  # a leftover grandchild still holds the pipes
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGKILL)
        await asyncio.gather(*self._readers)
        return code

    async def kill(self) -> int:
        """SIGKILL the process group (simulated crash) and reap it."""
        self._signal(signal.SIGKILL)
        return await self.wait()

    async def terminate(self, timeout: float = 10.0) -> int:
        """SIGTERM, then SIGKILL if it has not exited within timeout."""
        self._signal(signal.SIGTERM)
        try:
            return await self.wait(timeout)
        except TimeoutError:
            return await self.kill()

    def describe(self) -> str:
        """Status and log tail for failure messages."""
        tail = "\n".join(self._text.splitlines()[-40:])
        return (f"bot process pid={self.pid} returncode={self.returncode} "
                f"command={self.command}\n--- log tail ---\n{tail}")

    async def __aenter__(self) -> BotProcess:
        """Start on entry."""
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        """Always stop and reap the process."""
        if self._proc is not None:
            if self._proc.returncode is None:
                await self.terminate(timeout=5.0)
            else:
                await self.wait()
