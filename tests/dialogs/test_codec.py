"""Progress round-trips through its one serialization, and bad bytes are refused."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs import codec
from dialogs.progress import Progress
from dialogs.types import (
    Attachment,
    Consent,
    DocStatus,
    Document,
    FreeText,
    PartialDate,
    Role,
    Special,
)

ATTACHMENTS = st.builds(Attachment, st.text(min_size=1, max_size=8),
                        st.sampled_from(["photo", "pdf", "voice"]), st.integers(0, 10**8),
                        st.sampled_from(["image/jpeg", "application/pdf", "audio/ogg"]))
VALUES = st.one_of(
    st.text(max_size=30), st.integers(-10**6, 10**6), st.sampled_from(list(Special)),
    st.builds(PartialDate, st.integers(1900, 2100), st.integers(1, 12),
              st.one_of(st.none(), st.integers(1, 28))),
    st.lists(st.text(max_size=5), max_size=4).map(tuple),
    st.builds(FreeText, st.lists(st.one_of(st.text(max_size=20), ATTACHMENTS), max_size=4)
              .map(tuple), st.sampled_from(["de", "ar", "ti"])),
    st.builds(Document, st.sampled_from(list(DocStatus)),
              st.lists(ATTACHMENTS, max_size=3).map(tuple)),
)


@settings(max_examples=80, deadline=None)
@given(answers=st.dictionaries(st.text(min_size=1, max_size=12), VALUES, max_size=8),
       history=st.lists(st.text(max_size=10), max_size=5))
def test_round_trip(answers: dict[str, object], history: list[str]) -> None:
    consent = Consent("health", True, "2026-11-25T09:00:00+00:00", "1", "ar", Role.STAFF)
    progress = Progress("arrival", answers, tuple(history), "@review", "ar",  # type: ignore[arg-type]
                        {k: Role.SUPPORTER for k in answers}, (consent,), "tg:1", 7)
    assert codec.loads(codec.dumps(progress)) == progress


@pytest.mark.parametrize("data", [b"", b"{}", b"[]", b'{"schema": 99}', b"\xff\xfe",
                                  b'{"schema":1,"cursor":"a","answers":{"x":{"nope":1}},'
                                  b'"history":[],"return_to":null,"language":"de","authors":{}}'])
def test_malformed_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(codec.FormatError):
        codec.loads(data)


def test_the_format_is_pinned() -> None:
    progress = Progress("arrival", {"arrival": PartialDate(2016, 3), "lives_lev": "yes"},
                        ("welcome",), None, "de", {"arrival": Role.APPLICANT})
    assert codec.dumps(progress) == (
        b'{"schema":2,"cursor":"arrival","answers":{"arrival":{"date":"2016-03"},'
        b'"lives_lev":"yes"},"history":["welcome"],"return_to":null,"language":"de",'
        b'"authors":{"arrival":"applicant"},"consents":[],"contact":null,"first_message":null}')
    nachtrag = replace(progress, addendum_to="LEV-2026-0042")
    assert codec.dumps(nachtrag).startswith(b'{"schema":3,')
    assert codec.dumps(nachtrag).endswith(b',"addendum_to":"LEV-2026-0042"}')
    assert codec.loads(codec.dumps(nachtrag)) == nachtrag


def test_schema_two_is_still_read() -> None:
    old = (b'{"schema":2,"cursor":"arrival","answers":{"lives_lev":"yes"},"history":[],'
           b'"return_to":null,"language":"ar","authors":{},"consents":[],"contact":"tg:5",'
           b'"first_message":7}')
    progress = codec.loads(old)
    assert (progress.contact, progress.first_message, progress.addendum_to) == ("tg:5", 7, None)


def test_schema_one_is_still_read() -> None:
    old = (b'{"schema":1,"cursor":"arrival","answers":{"lives_lev":"yes"},"history":[],'
           b'"return_to":null,"language":"ar","authors":{}}')
    progress = codec.loads(old)
    assert progress.answers == {"lives_lev": "yes"} and progress.consents == ()
