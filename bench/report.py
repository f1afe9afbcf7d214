"""Figures from the runs: medians, ratios paired per repetition, targets, and the text."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

MODES = ("sequential", "16 in flight")
TARGETS = ("echo", "durable", "naive", "real")


@dataclass
class Verdict:
    name: str
    figure: str
    met: bool | None  # None: not measured


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def judge(self, name: str, figure: str, met: bool | None) -> None:
        self.verdicts.append(Verdict(name, figure, met))


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def by_rep(phases: list[dict[str, Any]]) -> dict[tuple[str, str], dict[int, dict[str, Any]]]:
    table: dict[tuple[str, str], dict[int, dict[str, Any]]] = defaultdict(dict)
    for phase in phases:
        table[phase["target"], phase["mode"]][phase["rep"]] = phase
    return table


def paired(table: dict[tuple[str, str], dict[int, dict[str, Any]]], mode: str,
           top: str, bottom: str) -> float:
    """Median over repetitions of rate(top) ÷ rate(bottom), both taken in the same repetition."""
    ups, downs = table[top, mode], table[bottom, mode]
    return median([ups[r]["rate"] / downs[r]["rate"] for r in ups if r in downs])


def throughput(report: Report, database: str, result: dict[str, Any]) -> dict[str, float]:
    """The table for one database; returns the medians the targets need."""
    table = by_rep(result["phases"])
    report.add(f"  {'target':<7} {'mode':<13} {'updates/s':>10} {'p50 ms':>8} {'p99 ms':>8} "
               f"{'max ms':>8}")
    figures: dict[str, float] = {}
    for mode in MODES:
        for target in TARGETS:
            reps = list(table[target, mode].values())
            rate = median([p["rate"] for p in reps])
            p50 = median([p["p50"] for p in reps]) * 1e3
            p99 = median([p["p99"] for p in reps]) * 1e3
            worst = max(p["max"] for p in reps) * 1e3
            report.add(f"  {target:<7} {mode:<13} {rate:>10,.0f} {p50:>8.2f} {p99:>8.2f} "
                       f"{worst:>8.1f}")
            figures[f"{target} {mode} rate"] = rate
            figures[f"{target} {mode} p99"] = p99
    report.add("  ratios, paired per repetition (median):")
    for mode in MODES:
        naive = paired(table, mode, "real", "naive")
        echo = paired(table, mode, "echo", "real")
        figures[f"vs naive {mode}"], figures[f"vs echo {mode}"] = naive, echo
        floor = paired(table, mode, "echo", "durable")
        beyond = paired(table, mode, "durable", "real")
        figures[f"durable vs echo {mode}"] = floor
        report.add(f"    {mode:<13} real ÷ naive (updates/s) {naive:5.2f}×   "
                   f"real cost ÷ echo cost {echo:5.2f}×",
                   f"    {'':<13} durable echo's cost ÷ echo's {floor:5.2f}×   "
                   f"real's ÷ durable echo's {beyond:5.2f}×")
    ordering = result["ordering"]
    report.add(f"  per-user order: {ordering['updates']} updates in batches of 16 users × "
               f"{result['updates_per_user']} answers through the Poller, all replies in order "
               f"({ordering['rate']:,.0f} updates/s); peak RSS of this process "
               f"{result['peak_rss_mib']:.0f} MiB")
    return figures


def judge_throughput(report: Report, database: str, f: dict[str, float]) -> None:
    for mode in MODES:
        report.judge(f"{database}: real ≥ 3× naive, {mode}", f"{f[f'vs naive {mode}']:.2f}×",
                     f[f"vs naive {mode}"] >= 3)
        report.judge(f"{database}: real cost ≤ 3.5× echo, {mode}", f"{f[f'vs echo {mode}']:.2f}×",
                     f[f"vs echo {mode}"] <= 3.5)
    p99 = f["real 16 in flight p99"]
    report.judge(f"{database}: p99 ≤ 10 ms with 16 in flight", f"{p99:.1f} ms", p99 <= 10)


def memory(report: Report, runs: list[dict[str, Any]]) -> None:
    small, large = runs[0], runs[-1]
    for run in runs:
        report.add(f"  {run['drafts']:>7,} stored drafts, {run['touched']:,} applicants answered: "
                   f"RSS {run['rss_kib'] / 1024:6.1f} MiB (peak {run['peak_kib'] / 1024:.1f} MiB, "
                   f"{run['cached_drafts']} drafts cached)")
    growth = large["rss_kib"] / small["rss_kib"] - 1
    report.judge(f"RSS flat (±10%) from {small['drafts']:,} to {large['drafts']:,} drafts",
                 f"{growth:+.1%}", abs(growth) <= 0.10)


def document(report: Report, pdf: dict[str, Any]) -> None:
    if not pdf.get("available"):
        report.add(f"  not available ({pdf.get('reason', 'secretariat.pdf missing')})")
        report.judge("PDF of a full application with 10 attachments ≤ 1 s", "n/a", None)
        return
    report.add(f"  {pdf['attachments']} attachments ({pdf['attachment_mib']:.1f} MiB), "
               f"{pdf['pages']} pages, {pdf['pdf_mib']:.1f} MiB: first rendering in a fresh "
               f"process {pdf['first']:.2f} s, later ones {pdf['later']:.2f} s (median)")
    report.judge("PDF of a full application with 10 attachments ≤ 1 s",
                 f"{pdf['first']:.2f} s (first), {pdf['later']:.2f} s (later)", pdf["first"] <= 1)


def startup(report: Report, start: dict[str, Any]) -> None:
    pairs = start["pairs"]
    ratio = median([bot / bare for bare, bot in pairs])
    report.add(f"  import aiogram alone: {median([p[0] for p in pairs]):.2f} s; bot to its first "
               f"getUpdates: {median([p[1] for p in pairs]):.2f} s ({len(pairs)} paired samples)")
    report.judge("bot start-up ≤ 1.3× aiogram's bare import", f"{ratio:.2f}×", ratio <= 1.3)
    helps_ok = True
    for command in start["commands"]:
        argv = " ".join(command["argv"])
        aiogram = "imports aiogram" if command["imports_aiogram"] else "no aiogram"
        report.add(f"  antragslotse {argv:<20} {command['seconds']:.2f} s, {aiogram}, "
                   f"exit {command['status']}")
        if command["argv"][-1] == "--help":
            helps_ok &= command["seconds"] <= 0.5 and not command["imports_aiogram"]
        helps_ok &= not command["imports_aiogram"]
    report.add(f"  import antragslotse.settings: {start['settings_import']:.2f} s "
               f"(pydantic-settings {start['pydantic_settings_import']:.2f} s); --help parses "
               "the arguments before the settings are imported")
    report.judge("commands without Telegram never import aiogram; --help ≤ 0.5 s",
                 "yes" if helps_ok else "no", helps_ok)
