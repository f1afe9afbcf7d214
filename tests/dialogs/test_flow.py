"""The definition as a whole: every question reachable, every path ends, checks pass."""

from __future__ import annotations

import random

import pytest

from dialogs import checks, flow
from dialogs.content import INTERVIEW
from dialogs.content.addendum import ADDENDUM
from dialogs.diagram import mermaid
from dialogs.model import Choice, Group, Kind, Question, Section
from tests.dialogs.walker import TODAY, walk


def all_ids() -> set[str]:
    ids = set()
    for section in INTERVIEW.sections:
        for item in section.items:
            if isinstance(item, Group):
                ids |= {f"{item.id}.{q.id}" for q in item.questions} | {f"{item.id}.more"}
            else:
                ids.add(item.id)
    return ids


def test_definition_passes_its_checks() -> None:
    checks.check(INTERVIEW)
    checks.check(ADDENDUM)


def test_every_question_is_reachable_and_every_path_ends() -> None:
    seen: set[str] = set()
    for seed in range(150):
        progress, visited = walk(INTERVIEW, random.Random(seed))
        assert progress.cursor == "@review"
        seen |= visited
    assert all_ids() - seen == set()


def test_eleven_sections_like_the_paper_form() -> None:
    assert len(INTERVIEW.sections) == 11


BROKEN = [
    (Section("s", "t", (Question("a", Kind.TEXT, "p"), Question("a", Kind.TEXT, "p"))),
     "duplicate id"),
    (Section("s", "t", (Question("a", Kind.CHOICE, "p", choices=(Choice("x", ""),)),)),
     "every choice needs a text"),
    (Section("s", "t", (Question("a", Kind.CHOICE, "p", choices=(Choice("x", "X"),),
                                 jump={"x": "nowhere"}),)), "unknown target"),
    (Section("s", "t", (Question("a", Kind.TEXT, "p", choices=(Choice("x", "X"),)),)),
     "choices must be given"),
    (Section("s", "t", (Question("a", Kind.CHOICE, "p"),)), "choices must be given"),
    (Section("s", "t", (Question("a", Kind.INFO, "p", optional=True),)), "nothing to skip"),
    (Section("s", "t", (Question("a b", Kind.TEXT, "p"),)), "id must be"),
]


@pytest.mark.parametrize(("section", "problem"), BROKEN)
def test_broken_definitions_are_refused(section: Section, problem: str) -> None:
    broken = INTERVIEW.__class__("x", 1, (section,))
    with pytest.raises(checks.DefinitionError, match=problem):
        checks.check(broken)


def test_locate_refuses_forged_paths() -> None:
    for path in ["", "nope", "persons", "persons.x.family_name", "persons.99.family_name",
                 "persons.01.family_name", "persons.0.nope", "persons.-1.family_name"]:
        assert flow.locate(INTERVIEW, path) is None


def test_locate_finds_each_step_as_the_walk_yields_it() -> None:
    for seed in range(20):
        progress, _ = walk(INTERVIEW, random.Random(seed))
        for step in flow.steps(INTERVIEW, progress.answers, TODAY):
            assert flow.locate(INTERVIEW, step.path) == step


def test_diagram_is_generated_from_the_definition() -> None:
    chart = mermaid(INTERVIEW)
    assert chart.startswith("flowchart TD")
    for section in INTERVIEW.sections:
        assert f"subgraph {section.id}" in chart
        for item in section.items:
            assert item.id in chart


def test_group_paths_fit_callback_data() -> None:
    longest = max(len(s.path) for s in flow.steps(INTERVIEW, {}, TODAY))
    assert longest <= checks.MAX_PATH


def test_committed_diagram_is_current() -> None:
    from pathlib import Path

    committed = Path(__file__).resolve().parents[2] / "docs" / "interview.mmd"
    assert committed.read_text(encoding="utf-8") == mermaid(INTERVIEW), (
        "regenerate: antragslotse diagram > docs/interview.mmd")


def test_walking_from_a_section_skips_only_the_sections_before_it() -> None:
    for seed in range(40):  # answers of many kinds: groups, skipped branches, dates
        progress, _ = walk(INTERVIEW, random.Random(seed))
        whole = list(flow.walk(INTERVIEW, progress.answers, TODAY))
        for first in range(len(INTERVIEW.sections)):
            later = [s for s in whole if s.section >= first]
            assert list(flow.walk(INTERVIEW, progress.answers, TODAY, first)) == later
