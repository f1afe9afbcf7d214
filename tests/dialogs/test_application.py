"""The application handed over: every relevant answer, consents, the CV, the repeat key."""

from __future__ import annotations

import random

import pytest

from dialogs.application import application, repeat_key
from dialogs.content import INTERVIEW
from dialogs.progress import Progress
from dialogs.types import PartialDate
from tests.dialogs.walker import TODAY, walk


def person(family: str, given: str, born: PartialDate | None) -> Progress:
    answers = {"persons.0.family_name": family, "persons.0.given_names": given}
    return Progress("@review", {**answers, **({"persons.0.birth_date": born} if born else {})})


@pytest.mark.parametrize(("a", "b"), [
    (("Zuhra", "Amira"), ("ZÜHRA", "amira")),
    (("Al-Hassan", "Omar"), ("al hassan", "Omar")),
    (("Hassan Omar", ""), ("Omar", "Hassan")),
])
def test_the_same_person_gives_the_same_key(a: tuple[str, str], b: tuple[str, str]) -> None:
    born = PartialDate(1990, 3, 14)
    assert repeat_key(person(*a, born)) == repeat_key(person(*b, born)) is not None


def test_no_key_without_a_full_birth_date_or_for_someone_else() -> None:
    assert repeat_key(person("Zuhra", "Amira", None)) is None
    assert repeat_key(person("Zuhra", "Amira", PartialDate(1990, 3))) is None
    born = PartialDate(1990, 3, 14)
    assert repeat_key(person("Zuhra", "Amira", born)) != repeat_key(person("Zuhra", "Ali", born))


def test_the_application_holds_every_answered_relevant_question() -> None:
    progress, _ = walk(INTERVIEW, random.Random(3))
    document = application(INTERVIEW, progress, TODAY)
    paths = {e["path"] for s in document["sections"] for e in s["entries"]}
    assert paths and not any(p.endswith(".more") for p in paths)
    assert paths <= set(progress.answers)
    assert [s["id"] for s in document["sections"]] == [s.id for s in INTERVIEW.sections]
    assert "consents" in document and document["language"] == progress.language


def test_skipped_answers_make_no_cv_lines() -> None:
    from dialogs.application import curriculum
    from dialogs.types import Special

    progress = Progress("@review", {"before": Special.SKIPPED, "arrival": PartialDate(2016, 3),
                                    "persons.0.birth_date": PartialDate(1990, 3, 14),
                                    "persons.0.birth_place": Special.UNKNOWN})
    rows = curriculum(progress, TODAY)
    assert [(r["from"], r["detail"]) for r in rows] == [("1990-03-14", ""), ("2016-03", "")]
