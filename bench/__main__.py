"""``python -m bench``: the whole benchmark, figures for one run, checked and compared.

Each part runs in a fresh process (aiogram's routers join one Dispatcher per process, and
memory and start-up need clean processes); this one orchestrates, prints the report and,
with ``--results``, writes it as Markdown. It exits non-zero if any check fails: a missing,
extra, wrong or out-of-order reply, or a draft not at its expected version.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import machine
from bench.report import Report, document, judge_throughput, memory, startup, throughput

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Plan:
    name: str
    reps: int
    users: int  # per phase; each answers ten questions
    drafts: tuple[int, ...]  # empty: memory not measured (smoke run)
    touched: int
    startups: int  # 0: not measured (smoke run)
    renderings: int  # 0: not measured (smoke run)


FULL = Plan("full", reps=5, users=160, drafts=(1_000, 100_000), touched=1_000, startups=3,
            renderings=3)
QUICK = Plan("quick", reps=2, users=16, drafts=(500, 5_000), touched=500, startups=1,
             renderings=1)
# Only whether the benchmark works and checks itself (the test suite runs it): tiny
# sizes, one process with aiogram (its import alone takes seconds), no memory, PDF or
# start-up parts; its figures mean nothing.
SMOKE = Plan("smoke", reps=1, users=4, drafts=(), touched=0, startups=0, renderings=0)


class Failed(Exception):
    """A part of the benchmark failed its own checks or did not run."""


def child(module: str, *args: str, timeout: float = 1800) -> dict[str, Any]:
    """Run ``python -m module args``; its last line of output is JSON."""
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, timeout=timeout,
                          capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    result: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    if done.returncode != 0 or "failure" in result:
        detail = result.get("failure") or done.stderr.strip()[-3000:]
        raise Failed(f"{module} {' '.join(args)} failed:\n{detail}")
    return result


def postgres_database(admin_url: str, name: str, create: bool) -> str:
    """Create (or drop) a database beside the one ``admin_url`` names; returns its URL."""
    from sqlalchemy import make_url, text
    from sqlalchemy.ext.asyncio import create_async_engine

    from storage.database import normalize_url

    async def run() -> None:
        engine = create_async_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                statement = f'CREATE DATABASE "{name}"' if create else \
                    f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def measure_throughput(report: Report, plan: Plan, postgres: str | None) -> None:
    work = Path(tempfile.mkdtemp(prefix="antragslotse-bench-"))
    args = ("--reps", str(plan.reps), "--users", str(plan.users))
    if plan is SMOKE:
        args += ("--warm-up", "1", "--ordering", "4")
    report.add("", "## Throughput and latency — SQLite (WAL, synchronous=FULL)",
               f"{plan.reps} repetitions; per phase {plan.users} applicants × 10 answers; "
               "medians over repetitions", "```")
    sqlite = child("bench.throughput", "--url", f"sqlite:///{work / 'real.db'}", *args)
    figures = throughput(report, "sqlite", sqlite)
    report.add("```")
    judge_throughput(report, "SQLite", figures)
    if postgres is None:
        report.add("", "## PostgreSQL", "not measured (pass --postgres URL)")
        report.judge("PostgreSQL not slower than SQLite", "n/a", None)
        return
    name = f"antragslotse_bench_{uuid.uuid4().hex[:8]}"
    url = postgres_database(postgres, name, create=True)
    try:
        pg = child("bench.throughput", "--url", url, *args)
    finally:
        postgres_database(postgres, name, create=False)
    version = machine.postgres_version(postgres)
    report.add("", f"## Throughput and latency — PostgreSQL ({version})",
               "same workload, same machine (the server shares its two cores)", "```")
    pg_figures = throughput(report, "postgresql", pg)
    report.add("```")
    for mode in ("sequential", "16 in flight"):
        ratio = pg_figures[f"real {mode} rate"] / figures[f"real {mode} rate"]
        report.judge(f"PostgreSQL not slower than SQLite, {mode}", f"{ratio:.2f}× SQLite's "
                     "updates/s", ratio >= 1)


def memory_run(plan: Plan, drafts: int) -> dict[str, Any]:
    """Seed a database with ``drafts`` drafts, then measure the bot answering on it."""
    work = Path(tempfile.mkdtemp(prefix="antragslotse-memory-"))
    common = ("--url", f"sqlite:///{work / 'db.sqlite'}", "--dir", str(work),
              "--drafts", str(drafts))
    child("bench.memory", "seed", *common)
    return child("bench.memory", "measure", *common, "--touched", str(plan.touched))


def report_memory(report: Report, runs: list[dict[str, Any]]) -> None:
    report.add("", "## Memory (the real bot on SQLite, fresh process per size)", "```")
    memory(report, runs)
    report.add("```")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (about half a minute)")
    parser.add_argument("--smoke", action="store_true",
                        help="only check that the benchmark works (seconds; no figures)")
    parser.add_argument("--postgres", metavar="URL",
                        help="also measure PostgreSQL (a database is created and dropped)")
    parser.add_argument("--results", type=Path, metavar="PATH",
                        help="write the report as Markdown to PATH (e.g. bench/RESULTS.md)")
    args = parser.parse_args(argv)
    plan = SMOKE if args.smoke else QUICK if args.quick else FULL
    started = time.perf_counter()
    report = Report()
    report.add(f"# Benchmark results ({plan.name} run)", "", *machine.describe())
    if plan is QUICK:
        report.add("- Quick run: few samples, memory measured alongside the timed parts; "
                   "the figures are indicative only")
    elif plan is SMOKE:
        report.add("- Smoke run: only whether the benchmark works and checks itself; "
                   "the figures mean nothing")
    # Memory is not a timing: a quick run measures it beside the timed parts (whose
    # figures are then only indicative); a full run keeps every part to itself.
    pool = ThreadPoolExecutor(max_workers=max(1, len(plan.drafts)))
    try:
        measure_throughput(report, plan, args.postgres)
        runs = [pool.submit(memory_run, plan, drafts) for drafts in plan.drafts]
        if plan is FULL:
            report_memory(report, [run.result() for run in runs])
        if plan.renderings:
            report.add("", "## The secretariat's PDF", "```")
            document(report, child("bench.document", str(plan.renderings)))
            report.add("```")
        if plan.startups:
            report.add("", "## Start-up", "```")
            startup(report, child("bench.startup", str(plan.startups)))
            report.add("```")
        if plan is not FULL and runs:
            report_memory(report, [run.result() for run in runs])
    except Failed as failure:
        print("\n".join(report.lines), file=sys.stderr)
        print(f"\nBENCHMARK FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        pool.shutdown(cancel_futures=True)
    report.add("", "## Targets (issue 7)", "")
    for verdict in report.verdicts:
        mark = {True: "met", False: "NOT met", None: "not measured"}[verdict.met]
        report.add(f"- {mark}: {verdict.name} — {verdict.figure}")
    report.add("", f"All checks passed (one reply per update, in order, rows at their versions). "
               f"Took {time.perf_counter() - started:.0f} s; load average at the end "
               f"{machine.load()}; plain sqlite3 durable commits/s at the end "
               f"{machine.durable_commits():,.0f}.")
    text = "\n".join(report.lines) + "\n"
    print(text, end="")
    if args.results:
        args.results.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
