"""The engine: one input at a time, answers never lost, always a way back."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs import engine, flow
from dialogs.content import INTERVIEW
from dialogs.inputs import Action, Input, Press, Say, Upload
from dialogs.progress import REVIEW, Progress
from dialogs.screens import screen
from dialogs.types import (
    Attachment,
    DocStatus,
    Document,
    FreeText,
    PartialDate,
    Role,
    Special,
)
from tests.dialogs.walker import TODAY, valid_input, walk

ME = Role.APPLICANT


def at(cursor: str, **answers: object) -> Progress:
    return Progress(cursor=cursor, answers=answers, language="en")  # type: ignore[arg-type]


def run(p: Progress, *events: Input) -> Progress:
    for event in events:
        p = engine.handle(INTERVIEW, p, event, TODAY, ME).progress
    return p


def test_a_choice_is_stored_and_confirmed_then_the_next_question_comes() -> None:
    outcome = engine.handle(INTERVIEW, at("lives_lev"), Press("lives_lev", Action.PICK, "yes"),
                            TODAY, ME)
    assert outcome.changed and outcome.progress.answers["lives_lev"] == "yes"
    assert outcome.notes == (engine.SAVED,)
    assert outcome.progress.cursor == "threat"


def test_no_branch_shows_the_kind_explanation_but_never_a_dead_end() -> None:
    p = run(at("lives_lev"), Press("lives_lev", Action.PICK, "no"))
    assert p.cursor == "not_lev"
    assert screen(INTERVIEW, p, TODAY).referral == ("counselling",)
    assert run(p, Press("not_lev", Action.NEXT)).cursor == "threat"


def test_invalid_text_keeps_everything_and_explains() -> None:
    p = at("arrival", lives_lev="yes")
    outcome = engine.handle(INTERVIEW, p, Say("yesterday-ish"), TODAY, ME)
    assert outcome.progress == p and not outcome.changed
    assert outcome.notes and "date" in outcome.notes[0].msgid.lower()


def test_length_of_stay_is_computed_and_change_goes_back() -> None:
    p = run(at("arrival"), Say("march 2016"))
    assert p.cursor == "stay" and p.answers["arrival"] == PartialDate(2016, 3)
    shown = screen(INTERVIEW, p, TODAY)
    prompt = shown.body[-1]
    assert prompt.params["date"] == PartialDate(2016, 3)
    years, months = prompt.params["duration"].params.values()  # type: ignore[union-attr]
    assert (years.count, months.count) == (10, 8)  # type: ignore[union-attr]
    assert run(p, Press("stay", Action.PICK, "change")).cursor == "arrival"


def test_back_returns_and_later_answers_survive() -> None:
    p = run(at("lives_lev"), Press("lives_lev", Action.PICK, "yes"))
    p = run(p, Press("threat", Action.TOGGLE, "duldung"), Press("threat", Action.DONE))
    assert p.cursor == "heard_before"
    back = run(p, Press("heard_before", Action.BACK), Press("threat", Action.BACK))
    assert back.cursor == "lives_lev"
    assert back.answers["threat"] == ("duldung",)
    again = run(back, Press("lives_lev", Action.KEEP))
    assert again.cursor == "threat" and again.answers == back.answers


def test_stale_and_forged_buttons_change_nothing() -> None:
    p = at("threat", lives_lev="yes")
    for event in [Press("lives_lev", Action.PICK, "no"), Press("threat", Action.PICK, "x"),
                  Press("threat", Action.SKIP), Press("nope.0.x", Action.DONE),
                  Press("threat", Action.LATER), Press("threat", Action.EDIT, "arrival")]:
        outcome = engine.handle(INTERVIEW, p, event, TODAY, ME)
        assert outcome.progress == p and not outcome.changed and outcome.notes


def test_multiple_choice_toggles_and_needs_one() -> None:
    p = at("threat")
    assert engine.handle(INTERVIEW, p, Press("threat", Action.DONE), TODAY, ME).progress == p
    p = run(p, *(Press("threat", Action.TOGGLE, c) for c in ("date", "leave", "date")))
    assert p.answers["threat"] == ("leave",) and p.cursor == "threat"


def test_free_text_takes_several_messages_and_voice_then_done() -> None:
    voice = Attachment("v1", "voice", 5000, "audio/ogg")
    p = run(at("what_changed", heard_before="yes"), Say("My son started"),
            Upload(voice), Say("an apprenticeship."))
    text = p.answers["what_changed"]
    assert isinstance(text, FreeText) and text.parts == ("My son started", voice,
                                                         "an apprenticeship.")
    assert text.language == "en" and p.cursor == "what_changed"
    assert run(p, Press("what_changed", Action.DONE)).cursor == "petition"


def test_documents_upload_later_or_missing_with_a_reason() -> None:
    photo = Attachment("p1", "photo", 9000, "image/jpeg")
    p = run(at("doc_id"), Upload(photo), Upload(replace(photo, id="p2")))
    assert p.answers["doc_id"] == Document(DocStatus.UPLOADED, (photo, replace(photo, id="p2")))
    assert run(p, Press("doc_id", Action.DONE)).cursor == "doc_paper"
    missing = run(at("doc_id"), Press("doc_id", Action.MISSING))
    assert missing.cursor == "doc_id_why"
    assert run(missing, Say("Lost on the way")).answers["doc_id_why"] == "Lost on the way"
    assert run(at("doc_id"), Press("doc_id", Action.LATER)).cursor == "doc_paper"


def test_a_voice_note_where_text_is_needed_is_refused_kindly() -> None:
    p = at("arrival")
    outcome = engine.handle(INTERVIEW, p, Upload(Attachment("v", "voice", 1, "audio/ogg")),
                            TODAY, ME)
    assert outcome.progress == p and outcome.notes


def test_skip_unknown_and_decline_only_where_allowed() -> None:
    assert run(at("lev_since"), Press("lev_since", Action.UNKNOWN)).answers["lev_since"] \
        is Special.UNKNOWN
    assert run(at("arrival"), Press("arrival", Action.UNKNOWN)).cursor == "arrival"
    p = at("income", working="full")
    assert run(p, Press("income", Action.DECLINE)).answers["income"] is Special.DECLINED


def test_review_edit_returns_to_the_review_section() -> None:
    p, _ = walk(INTERVIEW, random.Random(1))
    p = run(p, Press(REVIEW, Action.SECTION, "residence"))
    assert p.cursor == "@review/residence"
    p = run(p, Press("@review/residence", Action.EDIT, "arrival"))
    assert p.cursor == "arrival"
    p = run(p, Say("04/2015"))
    assert p.cursor == "@review/residence" and p.answers["arrival"] == PartialDate(2015, 4)


def test_edit_that_opens_a_follow_up_asks_it_before_returning() -> None:
    p, _ = walk(INTERVIEW, random.Random(2))
    p = replace(p, answers={**p.answers, "convicted": "no"}).without_answer("conviction_details")
    p = run(p, Press(REVIEW, Action.SECTION, "eligibility"),
            Press("@review/eligibility", Action.EDIT, "convicted"),
            Press("convicted", Action.PICK, "yes"))
    assert p.cursor == "conviction_details"
    p = run(p, Say("2019, fare dodging, fine"), Press("conviction_details", Action.DONE))
    assert p.cursor == "@review/eligibility"


def test_submit_needs_completeness_and_the_declarations() -> None:
    p, _ = walk(INTERVIEW, random.Random(3))
    complete = replace(p, answers={**p.answers, "declare_true": "yes", "declare_share": "yes"})
    assert engine.handle(INTERVIEW, complete, Press(REVIEW, Action.SUBMIT), TODAY, ME).submit
    refused = replace(p, answers={**p.answers, "declare_share": "no"})
    outcome = engine.handle(INTERVIEW, refused, Press(REVIEW, Action.SUBMIT), TODAY, ME)
    assert not outcome.submit and outcome.notes
    gap = complete.without_answer("arrival")
    outcome = engine.handle(INTERVIEW, gap, Press(REVIEW, Action.SUBMIT), TODAY, ME)
    assert not outcome.submit
    assert [s.path for s in flow.missing(INTERVIEW, gap.answers, TODAY)] == ["arrival"]
    shown = screen(INTERVIEW, gap, TODAY)
    edit = shown.buttons[0][0]
    assert (edit.action, edit.value) == (Action.EDIT, "arrival")


def test_people_are_a_repeating_group() -> None:
    p = at("persons.0.more")
    p = run(p, Press("persons.0.more", Action.PICK, "yes"))
    assert p.cursor == "persons.1.relation"
    p = run(p, Press("persons.1.relation", Action.PICK, "child"), Say("Ali"))
    assert p.answers["persons.1.family_name"] == "Ali"


EVENTS = st.one_of(
    st.builds(Say, st.text(max_size=40)),
    st.builds(Press, st.sampled_from(["threat", "arrival", "@review", "persons.0.more", "x"]),
              st.sampled_from(list(Action)), st.sampled_from(["", "yes", "no", "date", "x"])),
    st.builds(Upload, st.builds(Attachment, st.just("a"), st.sampled_from(["photo", "voice"]),
                                st.just(1), st.just("image/jpeg"))),
)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), noise=st.lists(EVENTS, max_size=30))
def test_random_input_never_crashes_and_never_loses_an_answer(
    seed: int, noise: list[Input]
) -> None:
    rng = random.Random(seed)
    p = engine.start(INTERVIEW, "en")
    for event in noise:
        for step_event in [event, *valid_input(p, INTERVIEW, rng)] if not p.cursor.startswith(
                "@") else [event]:
            before = p
            outcome = engine.handle(INTERVIEW, p, step_event, TODAY, ME)
            p = outcome.progress
            lost = set(before.answers) - set(p.answers)
            assert not lost, lost
            assert p.cursor.startswith("@") or flow.locate(INTERVIEW, p.cursor) is not None
            if not outcome.changed:
                assert p == before
