"""Validation is parsing: each function turns what a person typed into a value, or raises Invalid.

Messages are simple English message ids (about CEFR A2) with an example of what works;
the renderer translates them. People write in many scripts, so digits of any script count.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date

from dialogs.types import N_, PartialDate


class Invalid(Exception):
    """The text cannot become a value; ``msgid`` and ``params`` tell the person what works."""

    def __init__(self, msgid: str, **params: str | int) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params: dict[str, str | int] = params


EMPTY = N_("Please write something, or use a button below.")
TOO_LONG = N_("This text is too long. Please write at most {max} characters.")
BAD_DATE = N_("I cannot read this date. Please write day, month and year, for example 14.03.1990.")
BAD_DATE_OR_MONTH = N_(
    "I cannot read this date. Please write day, month and year, for example 14.03.1990. "
    "If you do not know the day, write month and year, for example 03.1990."
)
NEED_DAY = N_("Please write the full date with the day, for example 14.03.1990.")
NO_SUCH_DAY = N_(
    "This day does not exist. This month has only {days} days. "
    "Please check the day and the month, for example 28.02.2016."
)
TOO_OLD = N_("Please check the year. The year must be 1900 or later, for example 14.03.1990.")
OTHER_CALENDAR = N_(
    "This looks like a year from another calendar. "
    "Please write the date as it is used in Germany, for example 14.03.1990."
)
IN_FUTURE = N_(
    "This date is in the future. Please write a date before today, for example 14.03.1990."
)
TOO_FAR = N_(
    "This date is too far in the future. Please check the year. It must be {year} or earlier."
)
BAD_NUMBER = N_("Please write a number with digits, for example 3 or 1200.")
OUT_OF_RANGE = N_("Please write a number from {min} to {max}.")
BAD_PHONE = N_(
    "Please write a phone number with digits, for example +49 176 12345678 or 0176 12345678."
)

# Removed from typed text, in one str.translate: control characters but newline and tab
# (Unicode's category Cc: these 65 code points, a set that never changes), and overrides,
# embeddings and isolates, which can hide or reorder text. The marks LRM/RLM/ALM and ZWJ/ZWNJ
# stay, because Persian, Arabic and Kurdish spelling needs them.
_CONTROLS = [c for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if chr(c) not in "\n\t"]
_REMOVED = dict.fromkeys([*_CONTROLS, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_MAX_INPUT = 100  # longer answers to a date, number or phone question are not one
FUTURE_YEARS = 5


def clean_text(text: str, max_length: int) -> str:
    """Free text without control characters or bidi overrides, in NFC, not empty, not too long."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_REMOVED)
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise Invalid(EMPTY)
    if len(text) > max_length:
        raise Invalid(TOO_LONG, max=max_length, length=len(text))
    return text


def _fold(text: str) -> str:
    """Lower case, no accents or invisible marks, ASCII digits: the text, easy to read."""
    chars = []
    for c in unicodedata.normalize("NFKD", text.casefold()):
        if unicodedata.category(c) in ("Mn", "Cf"):
            continue
        digit = unicodedata.decimal(c, None)
        chars.append(c if digit is None else str(digit))
    return "".join(chars)


# Accents are folded away first: "März" is "marz", "août" is "aout", "Jänner" is "janner".
_MONTH_NAMES = (
    "january february march april may june july august september october november december",
    "januar februar marz april mai juni juli august september oktober november dezember",
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
)
_MONTHS = [(n, i) for names in _MONTH_NAMES for i, n in enumerate(names.split(), start=1)]
_MONTHS += [("maerz", 3), ("mrz", 3), ("janner", 1), ("jaenner", 1)]
_FILLERS = frozenset({"st", "nd", "rd", "th", "er", "of", "the", "am", "den", "le"})
_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+")


def _month_named(word: str) -> int | None:
    """The month a name or an abbreviation of at least 3 letters stands for, if only one."""
    found = {i for name, i in _MONTHS if name.startswith(word)} if len(word) >= 3 else set()
    return found.pop() if len(found) == 1 else None


def _fields(nums: list[str], month: int | None) -> tuple[str, int, int | None] | None:
    """Year (as written), month and day from the numbers in order, or None if unclear."""
    short = [len(n) <= 2 for n in nums]
    if month is not None:  # "March 2016", "14 March 2016", "March 14, 2016", "2016 March 14"
        if len(nums) == 1 and len(nums[0]) == 4:
            return nums[0], month, None
        if len(nums) == 2 and short[0] and len(nums[1]) in (2, 4):
            return nums[1], month, int(nums[0])
        if len(nums) == 2 and len(nums[0]) == 4 and short[1]:
            return nums[0], month, int(nums[1])
        return None
    if len(nums) == 2 and short[0] and len(nums[1]) == 4:  # "03/2016"
        return nums[1], int(nums[0]), None
    if len(nums) == 2 and len(nums[0]) == 4 and short[1]:  # "2016-03"
        return nums[0], int(nums[1]), None
    if len(nums) == 3 and len(nums[0]) == 4 and short[1] and short[2]:  # "2016-03-14"
        return nums[0], int(nums[1]), int(nums[2])
    if len(nums) == 3 and short[0] and short[1] and len(nums[2]) in (2, 4):  # "14.03.2016"
        day, mon = int(nums[0]), int(nums[1])
        if mon > 12 >= day:  # "03/14/2016" can only mean March 14
            day, mon = mon, day
        return nums[2], mon, day
    return None


def _latest(today: date, future_ok: bool) -> date:
    if not future_ok:
        return today
    try:
        return today.replace(year=today.year + FUTURE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + FUTURE_YEARS, day=28)


def _full_year(written: str, latest: date) -> int:
    """A 2-digit year is the latest year with those digits that is not after ``latest``."""
    if len(written) != 2:
        return int(written)
    year = latest.year - latest.year % 100 + int(written)
    return year if year <= latest.year else year - 100


def parse_date(text: str, today: date, *, month_ok: bool, future_ok: bool = False) -> PartialDate:
    """A plausible date: day first ("14.03.2016"), ISO, or with a month name (en, de, fr).

    With ``month_ok`` the day may be missing ("03/2016", "März 2016"). Years from 1900 to
    today, or to today + 5 years with ``future_ok``. "d.m.yy" reads as the latest such year
    that is still allowed: with today in 2025, "90" is 1990 and "24" is 2024.
    """
    bad = BAD_DATE_OR_MONTH if month_ok else BAD_DATE
    if len(text) > _MAX_INPUT:
        raise Invalid(bad)
    nums: list[str] = []
    named: int | None = None
    for token in _TOKEN.findall(_fold(text)):
        if token[0] in "0123456789":
            nums.append(token)
        elif token in _FILLERS:
            continue
        elif named is None and (month := _month_named(token)) is not None:
            named = month
        else:
            raise Invalid(bad)
    fields = _fields(nums, named)
    if fields is None:
        raise Invalid(bad)
    latest = _latest(today, future_ok)
    year, month, day = _full_year(fields[0], latest), fields[1], fields[2]
    if year < 1900:
        raise Invalid(OTHER_CALENDAR if 1300 <= year < 1500 else TOO_OLD)
    if not 1 <= month <= 12 or day == 0 or (day is not None and day > 31):
        raise Invalid(bad)
    days = calendar.monthrange(year, month)[1]
    if day is not None and day > days:
        raise Invalid(NO_SUCH_DAY, days=days)
    if day is None and not month_ok:
        raise Invalid(NEED_DAY)
    if (year, month, day or 0) > (latest.year, latest.month, latest.day):
        raise Invalid(TOO_FAR, year=latest.year) if future_ok else Invalid(IN_FUTURE)
    return PartialDate(year, month, day)


_CURRENCY = re.compile(r"€|euros?|eur")
_NUMBER = re.compile(
    r"(?P<sign>[-\u2212]?)\s*"
    r"(?P<int>[0-9]{1,3}(?P<sep>[.,' ])[0-9]{3}(?:(?P=sep)[0-9]{3})*|[0-9]+)"
    r"(?:(?P<dsep>[.,])(?P<frac>[0-9]{1,2}))?"
)


def parse_number(text: str, *, minimum: int, maximum: int) -> int:
    """A whole number: "1.200", "1,200", "1 200 €" are 1200; "1200,50" rounds half up to 1201."""
    folded = _fold(text) if len(text) <= _MAX_INPUT else ""
    folded = folded.replace("\u066c", ",").replace("\u066b", ".")  # Arabic thousands, decimal
    folded = " ".join(_CURRENCY.sub(" ", folded).split())
    match = _NUMBER.fullmatch(folded)
    if match is None or (match["sep"] and match["sep"] == match["dsep"]):
        raise Invalid(BAD_NUMBER)
    value = int(re.sub("[^0-9]", "", match["int"]))
    if match["frac"] and int(match["frac"].ljust(2, "0")) >= 50:
        value += 1
    if match["sign"]:
        value = -value
    if not minimum <= value <= maximum:
        raise Invalid(OUT_OF_RANGE, min=minimum, max=maximum)
    return value


def parse_phone(text: str) -> str:
    """An international number "+<digits>": "0176 …" is German (+49), "00…" means "+…"."""
    folded = _fold(text).strip() if len(text) <= _MAX_INPUT else ""
    folded = folded.replace("(0)", "")  # "+49 (0)176 …": the 0 is only for calls inside Germany
    allowed = all(
        c in "0123456789+()./" or c.isspace() or unicodedata.category(c) == "Pd" for c in folded
    )
    if not allowed or "+" in folded[1:]:
        raise Invalid(BAD_PHONE)
    digits = re.sub("[^0-9]", "", folded)
    if folded.startswith("+"):
        number = digits
    elif digits.startswith("00"):
        number = digits[2:]
    elif digits.startswith("0"):
        number = "49" + digits[1:]
    else:
        raise Invalid(BAD_PHONE)
    if number.startswith("490"):  # "+49 0176 …" is a common slip
        number = "49" + number[3:]
    if number[:1] in ("", "0") or not 7 <= len(number) <= 15:
        raise Invalid(BAD_PHONE)
    return "+" + number


def length_of_stay(since: PartialDate, today: date) -> tuple[int, int]:
    """Full years and months since ``since``; a date without a day counts from the 1st."""
    months = (today.year - since.year) * 12 + today.month - since.month
    last_day = calendar.monthrange(today.year, today.month)[1]
    if today.day < min(since.day or 1, last_day):  # 31 January to 28 February is one month
        months -= 1
    return divmod(max(months, 0), 12)
