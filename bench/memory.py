"""Memory with many stored drafts (``python -m bench.memory seed|measure``).

``seed`` fills a database with N drafts through the store's own units, in a process that
never imports aiogram. ``measure`` then starts the real bot on it in a fresh process,
answers once for each of the same number of applicants spread over all N drafts, and
reports the resident set: it must not grow with N (no per-user state beyond bounded
caches).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import sys
from pathlib import Path
from typing import Any

from antragslotse import wiring
from bench.applicants import script
from bench.intake import open_bench_store, seed

FIRST_USER = 20_000_000


def status_kib(field: str) -> int:
    """A ``VmRSS``-style figure of this process from /proc/self/status, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


async def fill(url: str, directory: Path, drafts: int) -> dict[str, Any]:
    steps = script(wiring.interview(), dt.date.today())
    store = await open_bench_store(url, directory)
    try:
        await seed(store, steps, range(FIRST_USER, FIRST_USER + drafts))
    finally:
        await store.close()
    return {"drafts": drafts}


async def answer(url: str, directory: Path, drafts: int, touched: int) -> dict[str, Any]:
    from antragslotse.presenter import Presenter
    from antragslotse.profile import load_profile
    from antragslotse.settings import PACKAGED_PROFILE
    from bench.applicants import expected_replies
    from bench.driver import IN_FLIGHT, BenchFailure, Timed
    from bench.intake import RealIntake
    from bench.stub import parse, text_update
    from bot.app import settle
    from bot.polling import Poller
    from bot.views import View
    from locales.catalogs import Catalogs

    interview, today = wiring.interview(), dt.date.today()
    steps = script(interview, today)
    catalogs = Catalogs()
    board = load_profile(PACKAGED_PROFILE)
    view = View(Presenter(wiring.renderer(catalogs, board), board))
    store = await open_bench_store(url, directory)
    real = RealIntake(store, steps, interview, view, catalogs)
    settle()  # as ``antragslotse run`` does
    before = status_kib("VmRSS")
    stride = max(1, drafts // touched)
    users = [FIRST_USER + i * stride for i in range(min(touched, drafts))]
    poller = Poller(real.bot, Timed(real.dispatcher))  # type: ignore[arg-type]
    try:
        for start in range(0, len(users), IN_FLIGHT):
            batch = [text_update(start + n + 1, user, steps.texts[0])
                     for n, user in enumerate(users[start : start + IN_FLIGHT])]
            await poller.handle(parse(batch, real.bot))
        first = expected_replies(steps, interview, today, view)[0]
        wrong = [u for u in users if real.wire.sent.get(u) != [first]]
        if wrong:
            raise BenchFailure(f"memory run: {len(wrong)} applicants without the right reply")
        gc.collect()
        return {"drafts": drafts, "touched": len(users), "rss_before_kib": before,
                "rss_kib": status_kib("VmRSS"), "peak_kib": status_kib("VmHWM"),
                "cached_drafts": len(store.cache)}
    finally:
        await real.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["seed", "measure"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--drafts", type=int, required=True)
    parser.add_argument("--touched", type=int, default=1000)
    args = parser.parse_args()
    if args.action == "seed":
        result = asyncio.run(fill(args.url, args.dir, args.drafts))
    else:
        result = asyncio.run(answer(args.url, args.dir, args.drafts, args.touched))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
