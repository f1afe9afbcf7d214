"""Parsing what people type: tables of accepted and rejected answers, and properties."""

from __future__ import annotations

import ast
import contextlib
import re
import string
import sys
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs import parsing
from dialogs.parsing import (
    Invalid,
    clean_text,
    length_of_stay,
    parse_date,
    parse_number,
    parse_phone,
)
from dialogs.types import PartialDate

TODAY = date(2025, 11, 25)
FAST = settings(max_examples=150, deadline=None)
MODULE = Path(parsing.__file__)
D = PartialDate
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
}


def raised(call: Callable[..., object], *args: object, **kwargs: object) -> Invalid:
    with pytest.raises(Invalid) as info:
        call(*args, **kwargs)
    return info.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14.03.2016", D(2016, 3, 14)),
        ("14/03/2016", D(2016, 3, 14)),
        ("14-3-2016", D(2016, 3, 14)),
        ("  2016-03-14 ", D(2016, 3, 14)),
        ("14 March 2016", D(2016, 3, 14)),
        ("March 14, 2016", D(2016, 3, 14)),
        ("March 14th, 2016", D(2016, 3, 14)),
        ("14. März 2016", D(2016, 3, 14)),
        ("am 14. Mär. 2016", D(2016, 3, 14)),
        ("1er mars 2016", D(2016, 3, 1)),
        ("14 AOUT 2016", D(2016, 8, 14)),
        ("2016 Dec 24", D(2016, 12, 24)),
        ("03/14/2016", D(2016, 3, 14)),  # month first, but only one reading is possible
        ("05/04/2016", D(2016, 4, 5)),  # both possible: day first, as in Germany
        ("14.3.90", D(1990, 3, 14)),
        ("1.1.00", D(2000, 1, 1)),
        ("14.3.25", D(2025, 3, 14)),
        ("14.3.26", D(1926, 3, 14)),  # 2026 would be in the future
        ("14 Mar 16", D(2016, 3, 14)),
        ("١٤/٠٣/٢٠١٦", D(2016, 3, 14)),
        ("۱۴٫۰۳٫۲۰۱۶", D(2016, 3, 14)),
        ("\u200f14.03.2016\u200f", D(2016, 3, 14)),
        ("１４．０３．２０１６", D(2016, 3, 14)),
        ("29.02.2024", D(2024, 2, 29)),
        ("25.11.2025", D(2025, 11, 25)),
        ("01.01.1900", D(1900, 1, 1)),
        ("03/2016", D(2016, 3)),
        ("3.2016", D(2016, 3)),
        ("2016-03", D(2016, 3)),
        ("march 2016", D(2016, 3)),
        ("März 2016", D(2016, 3)),
        ("Maerz 2016", D(2016, 3)),
        ("mars 2016", D(2016, 3)),
        ("févr. 2016", D(2016, 2)),
        ("Sept 2016", D(2016, 9)),
        ("Jänner 2016", D(2016, 1)),
        ("11/2025", D(2025, 11)),
    ],
)
def test_accepted_dates(text: str, expected: PartialDate) -> None:
    assert parse_date(text, TODAY, month_ok=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14.03.27", D(2027, 3, 14)),
        ("1.12.2025", D(2025, 12, 1)),
        ("25.11.2030", D(2030, 11, 25)),
        ("2030-11", D(2030, 11)),
    ],
)
def test_future_dates_when_allowed(text: str, expected: PartialDate) -> None:
    assert parse_date(text, TODAY, month_ok=True, future_ok=True) == expected


@pytest.mark.parametrize(
    ("text", "month_ok", "future_ok", "msgid"),
    [
        ("yesterday", True, False, parsing.BAD_DATE_OR_MONTH),
        ("gestern", False, False, parsing.BAD_DATE),
        ("asdf", True, False, parsing.BAD_DATE_OR_MONTH),
        ("99/99", True, False, parsing.BAD_DATE_OR_MONTH),
        ("99/99/2016", True, False, parsing.BAD_DATE_OR_MONTH),
        ("14.13.2016", False, False, parsing.BAD_DATE),
        ("32.01.2016", False, False, parsing.BAD_DATE),
        ("0.01.2016", False, False, parsing.BAD_DATE),
        ("13/2016", True, False, parsing.BAD_DATE_OR_MONTH),
        ("03/16", True, False, parsing.BAD_DATE_OR_MONTH),  # March 2016 or 3 June?
        ("March 14", True, False, parsing.BAD_DATE_OR_MONTH),
        ("March 16", True, False, parsing.BAD_DATE_OR_MONTH),
        ("2016", True, False, parsing.BAD_DATE_OR_MONTH),
        ("jui 2016", True, False, parsing.BAD_DATE_OR_MONTH),  # juin or juillet
        ("ma 2016", True, False, parsing.BAD_DATE_OR_MONTH),
        ("March April 2016", True, False, parsing.BAD_DATE_OR_MONTH),
        ("14.03.201", True, False, parsing.BAD_DATE_OR_MONTH),
        ("14.03.20161", True, False, parsing.BAD_DATE_OR_MONTH),
        ("14032016", True, False, parsing.BAD_DATE_OR_MONTH),
        ("1" * 5000, True, False, parsing.BAD_DATE_OR_MONTH),
        ("", True, False, parsing.BAD_DATE_OR_MONTH),
        ("١٤ آذار ٢٠١٦", True, False, parsing.BAD_DATE_OR_MONTH),
        ("03/2016", False, False, parsing.NEED_DAY),
        ("März 2016", False, False, parsing.NEED_DAY),
        ("31.02.2016", True, False, parsing.NO_SUCH_DAY),
        ("29.02.2023", False, False, parsing.NO_SUCH_DAY),
        ("31.04.2016", False, False, parsing.NO_SUCH_DAY),
        ("14.03.1899", False, False, parsing.TOO_OLD),
        ("12/1899", True, False, parsing.TOO_OLD),
        ("1395/12/24", False, False, parsing.OTHER_CALENDAR),
        ("۱۳۹۵/۱۲/۲۴", False, False, parsing.OTHER_CALENDAR),
        ("1.1.1445", False, False, parsing.OTHER_CALENDAR),
        ("26.11.2025", False, False, parsing.IN_FUTURE),
        ("12/2025", True, False, parsing.IN_FUTURE),
        ("26.11.2030", False, True, parsing.TOO_FAR),
        ("12/2030", True, True, parsing.TOO_FAR),
    ],
)
def test_rejected_dates(text: str, month_ok: bool, future_ok: bool, msgid: str) -> None:
    error = raised(parse_date, text, TODAY, month_ok=month_ok, future_ok=future_ok)
    assert error.msgid == msgid
    error.msgid.format(**error.params)  # every placeholder has a value


def test_rejections_say_why() -> None:
    assert raised(parse_date, "31.02.2016", TODAY, month_ok=False).params == {"days": 29}
    too_far = raised(parse_date, "1.1.2031", TODAY, month_ok=False, future_ok=True)
    assert too_far.params == {"year": 2030}


def test_five_years_from_a_leap_day() -> None:
    leap = date(2024, 2, 29)
    assert parse_date("28.02.2029", leap, month_ok=False, future_ok=True) == D(2029, 2, 28)
    assert raised(parse_date, "1.3.2029", leap, month_ok=False, future_ok=True).msgid == (
        parsing.TOO_FAR
    )


DATE_WORDS = ["march", "März", "mars", "sept", "jui", "th", "of", "١٤", "۲۰۱۶", "٫", "yesterday"]
datelike = st.lists(
    st.one_of(st.text(string.digits + "./- ,", max_size=6), st.sampled_from(DATE_WORDS)),
    max_size=6,
).map(" ".join)


@FAST
@given(
    text=st.one_of(st.text(max_size=40), datelike),
    today=st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31)),
    month_ok=st.booleans(),
    future_ok=st.booleans(),
)
def test_dates_are_within_bounds_or_invalid(
    text: str, today: date, month_ok: bool, future_ok: bool
) -> None:
    try:
        value = parse_date(text, today, month_ok=month_ok, future_ok=future_ok)
    except Invalid:
        return
    leap_day = (today.month, today.day) == (2, 29)
    latest = today.replace(year=today.year + 5, day=28 if leap_day else today.day)
    bound = latest if future_ok else today
    key = (value.year, value.month, value.day or 0)  # PartialDate cannot compare None to a day
    assert (1900, 1, 0) <= key <= (bound.year, bound.month, bound.day)
    assert value.day is not None or month_ok
    date(value.year, value.month, value.day or 1)  # a real calendar day


def _formats(month_only: bool) -> list[str]:
    if month_only:
        return ["{m:02d}/{y}", "{m}.{y}", "{y}-{m:02d}", "{en} {y}", "{de} {y}", "{fr} {y}"]
    return [
        "{d:02d}.{m:02d}.{y}", "{d}/{m}/{y}", "{y}-{m:02d}-{d:02d}", "{d} {en} {y}",
        "{en} {d}, {y}", "{d}. {de} {y}", "{d} {fr} {y}", "{d} {en3}. {y}",
    ]  # fmt: skip


@FAST
@given(
    day=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    month_only=st.booleans(),
    data=st.data(),
)
def test_formatted_dates_come_back(day: date, month_only: bool, data: st.DataObject) -> None:
    names = {lang: MONTHS[lang].split()[day.month - 1] for lang in MONTHS}
    template = data.draw(st.sampled_from(_formats(month_only)))
    text = template.format(d=day.day, m=day.month, y=day.year, en3=names["en"][:3], **names)
    text = text.upper() if data.draw(st.booleans()) else text
    text = text.translate(data.draw(st.sampled_from([ARABIC, PERSIAN, {}])))
    expected = D(day.year, day.month, None if month_only else day.day)
    assert parse_date(text, TODAY, month_ok=True) == expected
    assert parse_date(expected.iso(), TODAY, month_ok=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Hallo  ", "Hallo"),
        ("a\x00b\x07c\x1b[31m\x7f\x85\x9fd", "abc[31md"),
        ("line 1\r\nline 2\rline 3\n\tindented", "line 1\nline 2\nline 3\n\tindented"),
        ("\u202eevil\u202c \u2066x\u2069", "evil x"),
        ("می\u200cخواهم", "می\u200cخواهم"),  # ZWNJ belongs to Persian spelling
        ("\u0644\u200d", "\u0644\u200d"),
        ("e\u0301", "é"),  # NFC
        ("x" * 40, "x" * 40),
    ],
)
def test_clean_text(text: str, expected: str) -> None:
    assert clean_text(text, max_length=40) == expected


def test_every_control_character_goes_but_newline_and_tab() -> None:
    controls = "".join(chr(c) for c in range(sys.maxunicode + 1)
                       if unicodedata.category(chr(c)) == "Cc")
    assert clean_text(f"a{controls}b", max_length=40) == "a\t\n\nb"  # CR became a newline


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\x00", "\u202e\u202c", " \u2066 \u2069 "])
def test_empty_text(text: str) -> None:
    assert raised(clean_text, text, 100).msgid == parsing.EMPTY


def test_too_long_text() -> None:
    error = raised(clean_text, "x" * 11, 10)
    assert (error.msgid, error.params) == (parsing.TOO_LONG, {"max": 10, "length": 11})


@FAST
@given(text=st.text(), zwnj=st.booleans())
def test_clean_text_is_safe(text: str, zwnj: bool) -> None:
    text = f"{text}x\u200c" if zwnj else text
    try:
        cleaned = clean_text(text, max_length=10_000)
    except Invalid as error:
        assert error.msgid == parsing.EMPTY
        return
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", cleaned)
    assert all(c in "\n\t" or unicodedata.category(c) != "Cc" for c in cleaned)
    assert cleaned == cleaned.strip() == unicodedata.normalize("NFC", cleaned)
    assert clean_text(cleaned, max_length=10_000) == cleaned
    assert "\u200c" in cleaned or not zwnj


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("1200", 1200),
        ("1.200", 1200),
        ("1,200", 1200),
        ("1 200", 1200),
        ("1\u202f200", 1200),
        ("1'200", 1200),
        ("1.200.000", 1_200_000),
        ("1200,50", 1201),  # half up, as people round money
        ("1200,49", 1200),
        ("1.200,5", 1201),
        ("1,200.50", 1201),
        ("12.00", 12),
        ("€ 1.200", 1200),
        ("1200€", 1200),
        ("1200 EUR", 1200),
        ("1200 Euro", 1200),
        ("١٢٠٠", 1200),
        ("١٬٢٠٠", 1200),
        ("۱۲۰۰", 1200),
        ("३", 3),
    ],
)
def test_accepted_numbers(text: str, expected: int) -> None:
    assert parse_number(text, minimum=0, maximum=10**7) == expected


@pytest.mark.parametrize(
    ("text", "msgid"),
    [
        ("", parsing.BAD_NUMBER),
        ("abc", parsing.BAD_NUMBER),
        ("three", parsing.BAD_NUMBER),
        ("1.2.3", parsing.BAD_NUMBER),
        ("1.20.000", parsing.BAD_NUMBER),
        ("1.200.50", parsing.BAD_NUMBER),
        ("12,345", parsing.OUT_OF_RANGE),  # thousands, so 12345
        ("1,5 Kinder", parsing.BAD_NUMBER),
        ("9" * 5000, parsing.BAD_NUMBER),
        ("-1", parsing.OUT_OF_RANGE),
        ("101", parsing.OUT_OF_RANGE),
        ("100,5", parsing.OUT_OF_RANGE),
    ],
)
def test_rejected_numbers(text: str, msgid: str) -> None:
    error = raised(parse_number, text, minimum=0, maximum=100)
    assert error.msgid == msgid
    if msgid == parsing.OUT_OF_RANGE:
        assert error.params == {"min": 0, "max": 100}


@FAST
@given(text=st.text(max_size=30))
def test_numbers_are_in_range_or_invalid(text: str) -> None:
    with contextlib.suppress(Invalid):
        assert 0 <= parse_number(text, minimum=0, maximum=10**6) <= 10**6


@FAST
@given(value=st.integers(0, 10**9), sep=st.sampled_from(["", ".", ",", " "]))
def test_grouped_numbers_come_back(value: int, sep: str) -> None:
    grouped = f"{value:,}".replace(",", sep) if sep else str(value)
    assert parse_number(grouped, minimum=0, maximum=10**9) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0176 1234567", "+491761234567"),
        ("0176/1234567", "+491761234567"),
        ("+49 (0)176-123 45 67", "+491761234567"),
        ("+49 0176 1234567", "+491761234567"),
        ("0049 176 1234567", "+491761234567"),
        ("+49 176 12345678", "+4917612345678"),
        ("+964 770 123 4567", "+9647701234567"),
        ("00964 770 123 4567", "+9647701234567"),
        ("٠١٧٦ ١٢٣٤٥٦٧", "+491761234567"),
        ("\u200e+۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹", "+989123456789"),
        ("0214 – 40 60", "+492144060"),
    ],
)
def test_accepted_phones(text: str, expected: str) -> None:
    assert parse_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "abc", "176 1234567", "0", "00", "+0176 1234567", "+49 176 +1234", "0176 1",
     "+1 234 567 890 123 456", "Tel. 0176 1234567", "0176 1234567 oder 0214 123456"],
)  # fmt: skip
def test_rejected_phones(text: str) -> None:
    assert raised(parse_phone, text).msgid == parsing.BAD_PHONE


@FAST
@given(text=st.one_of(st.text(max_size=30), st.text("0123456789+()-/ ", max_size=30)))
def test_phones_are_e164_or_invalid(text: str) -> None:
    try:
        phone = parse_phone(text)
    except Invalid:
        return
    assert re.fullmatch(r"\+[1-9][0-9]{6,14}", phone)
    assert parse_phone(phone) == phone


@pytest.mark.parametrize(
    ("since", "today", "expected"),
    [
        (D(2016, 3, 14), date(2025, 11, 25), (9, 8)),
        (D(2016, 3, 26), date(2025, 11, 25), (9, 7)),
        (D(2016, 3), date(2025, 11, 25), (9, 8)),
        (D(2025, 11), date(2025, 11, 1), (0, 0)),
        (D(2024, 11, 25), date(2025, 11, 25), (1, 0)),
        (D(2024, 11, 26), date(2025, 11, 25), (0, 11)),
        (D(2025, 1, 31), date(2025, 2, 28), (0, 1)),  # to the end of a short month
        (D(2024, 1, 31), date(2024, 2, 28), (0, 0)),
        (D(2030, 1, 1), date(2025, 11, 25), (0, 0)),  # never negative
    ],
)
def test_length_of_stay(since: PartialDate, today: date, expected: tuple[int, int]) -> None:
    assert length_of_stay(since, today) == expected


@FAST
@given(since=st.dates(), today=st.dates(), month_only=st.booleans())
def test_length_of_stay_is_never_negative(since: date, today: date, month_only: bool) -> None:
    day = None if month_only else since.day
    years, months = length_of_stay(D(since.year, since.month, day), today)
    assert years >= 0 and 0 <= months < 12


def test_messages_are_marked_for_extraction() -> None:
    messages = extract_from_file("python", MODULE, keywords={"N_": None})
    extracted = {m[1] for m in messages if isinstance(m[1], str)}
    constants = {v for k, v in vars(parsing).items() if k.isupper() and isinstance(v, str)}
    assert constants <= extracted
    for msgid in extracted:
        assert re.fullmatch(r"[^{}]*(\{[a-z]+\}[^{}]*)*", msgid), msgid
        assert "example" in msgid or "{" in msgid or msgid == parsing.EMPTY


def test_module_is_pure() -> None:
    tree = ast.parse(MODULE.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        assert not isinstance(node, ast.AsyncFunctionDef | ast.Await)
        if isinstance(node, ast.Import):
            roots = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            roots = [(node.module or "").split(".")[0]]
        else:
            continue
        for root in roots:
            assert root in sys.stdlib_module_names or root == "dialogs", root
