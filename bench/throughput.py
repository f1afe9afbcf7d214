"""One database's throughput run, in a process of its own (``python -m bench.throughput``).

aiogram's routers are module-level objects that join one Dispatcher only, so each database
gets a fresh process: the bare echo bot, the echo bot with a durable commit per message,
the naive reference and the real intake, each in
turn per repetition (so the ratios pair figures taken seconds apart), sequentially and with
16 updates in flight. Prints JSON on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import resource
import sys
import tempfile
from pathlib import Path
from typing import Any

from antragslotse import wiring
from antragslotse.presenter import Presenter
from antragslotse.profile import load_profile
from antragslotse.settings import PACKAGED_PROFILE
from bench.applicants import expected_replies, script
from bench.driver import BenchFailure, Ids, Phase, Target, run
from bench.echo import DurableEcho, Echo
from bench.intake import RealIntake, open_bench_store
from bench.naive import Naive
from bot.app import settle
from bot.views import View
from locales.catalogs import Catalogs


def durable_url(url: str, directory: Path) -> str:
    return f"sqlite:///{directory / 'durable.db'}" if url.startswith("sqlite") else url


def naive_url(url: str, directory: Path) -> str:
    if url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{directory / 'naive.db'}"
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


def record(phase: Phase, rep: int) -> dict[str, Any]:
    return {"rep": rep, "target": phase.target, "mode": phase.mode, "updates": phase.updates,
            "seconds": phase.seconds, "rate": phase.rate, "p50": phase.quantile(0.5),
            "p99": phase.quantile(0.99), "max": max(phase.latencies)}


async def measure(url: str, reps: int, users: int, warm_up: int = 16,
                  ordering: int = 48) -> dict[str, Any]:
    directory = Path(tempfile.mkdtemp(prefix="antragslotse-bench-"))
    interview, today = wiring.interview(), dt.date.today()
    steps = script(interview, today)
    catalogs = Catalogs()
    board = load_profile(PACKAGED_PROFILE)
    view = View(Presenter(wiring.renderer(catalogs, board), board))
    expected = expected_replies(steps, interview, today, view)
    naive = Naive(naive_url(url, directory), steps, interview, view)
    await naive.open(expected)
    store = await open_bench_store(url, directory)
    real = RealIntake(store, steps, interview, view, catalogs)
    real.use(expected)
    durable = DurableEcho(durable_url(url, directory))
    await durable.open()
    targets: list[Target] = [Echo(), durable, naive, real]
    settle()  # as ``antragslotse run`` does once built (all three share this process)
    ids = Ids()
    try:
        for target in targets:  # warm-up: first-use costs (imports, caches) stay out
            await run(target, steps, warm_up, ids, sequential=False)
        phases = []
        for rep in range(reps):
            for sequential in (True, False):
                for target in targets:
                    phases.append(record(await run(target, steps, users, ids,
                                                   sequential=sequential), rep))
        # Several answers of each user in one batch: the Poller's lanes must keep their order.
        ordered = await run(real, steps, ordering, ids, sequential=False,
                            per_user=len(steps.texts))
        return {"phases": phases, "ordering": record(ordered, 0),
                "updates_per_user": len(steps.texts),
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    finally:
        await durable.close()
        await naive.close()
        await real.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--users", type=int, default=160)
    parser.add_argument("--warm-up", type=int, default=16, help="applicants per target")
    parser.add_argument("--ordering", type=int, default=48, help="applicants, all answers at once")
    args = parser.parse_args()
    try:
        result = asyncio.run(measure(args.url, args.reps, args.users, args.warm_up,
                                     args.ordering))
    except BenchFailure as failure:
        print(json.dumps({"failure": str(failure)}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
