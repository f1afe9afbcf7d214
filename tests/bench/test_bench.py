"""The benchmark checks its own work, and a quick run of it works (no timings asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.applicants import Script
from bench.driver import _replies
from bench.stub import Wire
from dialogs.progress import Progress

ROOT = Path(__file__).resolve().parents[2]


class Replies:
    """A target as far as the reply check cares: what was expected, what the wire saw."""

    name = "fake"

    def __init__(self, sent: dict[int, list[str]]) -> None:
        self.wire = Wire()
        self.wire.sent.update(sent)

    def expected(self, texts: object) -> list[str]:
        return ["a", "b", "c"]


SCRIPT = Script(Progress("q"), ("1", "2", "3"), (Progress("q"),) * 3, ((),) * 3)


def test_every_reply_once_and_in_order_passes() -> None:
    assert _replies(Replies({7: ["a", "b", "c"]}), SCRIPT, [7]) == []  # type: ignore[arg-type]


def test_missing_reordered_or_stray_replies_are_reported() -> None:
    target = Replies({7: ["a", "c", "b"], 8: ["a", "b"], 9: ["a"]})
    problems = _replies(target, SCRIPT, [7, 8])  # type: ignore[arg-type]
    assert problems == [
        "user 7: 3 replies for 3 updates, first difference at reply 2",
        "user 8: 2 replies for 3 updates, first difference at reply 3",
        "replies to 1 chats that sent nothing",
    ]


def test_a_smoke_run_completes_and_checks_itself() -> None:
    """Whether the benchmark works (tiny sizes, a few seconds); its figures are not looked at."""
    done = subprocess.run([sys.executable, "-m", "bench", "--smoke"], cwd=ROOT, timeout=300,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "All checks passed" in done.stdout
    for part in ("Throughput and latency — SQLite", "per-user order", "Targets"):
        assert part in done.stdout
