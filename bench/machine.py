"""What the figures were measured on: CPUs, memory, versions, load."""

from __future__ import annotations

import asyncio
import os
import platform
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

PACKAGES = ("aiogram", "SQLAlchemy", "aiosqlite", "asyncpg", "cryptography", "pydantic",
            "fpdf2")


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def versions() -> str:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def durable_commits(count: int = 500) -> float:
    """Plain sqlite3 commits per second, one row each, WAL and synchronous=FULL: the disk's
    ceiling for answering one update at a time (each answer waits for its own commit)."""
    with tempfile.TemporaryDirectory(prefix="antragslotse-fsync-") as directory:
        conn = sqlite3.connect(Path(directory) / "fsync.db", isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=wal")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("CREATE TABLE t (n INTEGER)")
            started = time.perf_counter()
            for n in range(count):
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO t VALUES (?)", (n,))
                conn.execute("COMMIT")
            return count / (time.perf_counter() - started)
        finally:
            conn.close()


def describe() -> list[str]:
    return [
        f"- When: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average at the start {load()}",
        f"- Machine: {os.cpu_count()} × {cpu_model()} (nproc {os.cpu_count()}), "
        f"{memory_gib():.1f} GiB RAM, Linux {platform.release()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; {versions()}",
        f"- Disk: plain sqlite3 does {durable_commits():,.0f} durable commits/s here (WAL, "
        "synchronous=FULL, one row each) at the start",
    ]


def postgres_version(url: str) -> str:
    from sqlalchemy import text

    from storage.database import create_engine

    async def ask() -> str:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return str((await conn.execute(text("SHOW server_version"))).scalar())
        finally:
            await engine.dispose()

    try:
        return "PostgreSQL " + asyncio.run(ask()).split()[0]
    except Exception:  # dropped already: the version is a nicety
        return "PostgreSQL"
