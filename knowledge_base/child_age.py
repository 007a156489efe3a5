"""The child's age as parents give it: months, years and months, or a birth date.

Only whole months leave this module: the finder needs nothing finer, and a birth date is
more than the service should keep about a child.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from knowledge_base.text import age_in_months, chinese_number, normalise

_NUM = r"(\d+(?:\.\d+)?|[一二两三四五六七八九十]+)"
_YEARS_AND_MONTHS = re.compile(_NUM + r"\s*(?:周)?岁\s*(?:零|又)?\s*" + _NUM + r"\s*个?\s*多?\s*月")
_YEARS_AND_HALF = re.compile(
    _NUM + r"\s*(?:周)?岁半|" + _NUM + r"\s*(?:and a half|½)\s*(?:years?|yrs?)"
)
_HALF_YEAR = re.compile(r"(?<![一二两三四五六七八九十\d])半岁|half a year|six months", re.I)
_EN_YEARS_AND_MONTHS = re.compile(
    r"(\d+)\s*(?:years?|yrs?|y)\s*(?:and\s*)?(\d+)\s*(?:months?|mos?|m)\b", re.I
)
_EN_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty": 20,
}  # fmt: skip
_EN_WORD_AGE = re.compile(
    r"\b(" + "|".join(_EN_WORD_NUMBERS) + r")[- ](month|year)s?[- ]old\b|"
    r"\b(" + "|".join(_EN_WORD_NUMBERS) + r")\s+(month|year)s?\b",
    re.I,
)
_BIRTH_WORDS = r"出生|生的|生日|出生于|生于|born|birthday|dob|b\."
_DATE = (
    r"((?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)?\s*(?:(\d{1,2})\s*(?:日|号)?)?"
)
_BIRTH_DATE = re.compile(rf"(?:{_BIRTH_WORDS})\D{{0,6}}{_DATE}|{_DATE}\s*(?:{_BIRTH_WORDS})", re.I)
_BARE_DATE = re.compile(rf"^\s*{_DATE}\s*$")
# "去年3月出生的", "今年1月生的": a month in a year named relative to today.
_RELATIVE_BIRTH = re.compile(
    r"(今年|去年|前年)\s*(\d{1,2})\s*月份?\s*(?:(\d{1,2})\s*[日号])?\s*(?:出生|生的|生)"
)
_YEARS_BACK = {"今年": 0, "去年": 1, "前年": 2}
_BIRTH_YEAR = re.compile(
    rf"((?:19|20)\d{{2}})\s*年?\s*(?:{_BIRTH_WORDS})|(?:{_BIRTH_WORDS})\D{{0,6}}((?:19|20)\d{{2}})(?!\s*[-/.年]\s*\d)",
    re.I,
)
_EN_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_EN_BIRTH = re.compile(
    r"(?:born|birthday|dob)\D{0,12}?(?:(\d{1,2})\s+)?"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*(?:(\d{1,2}),?\s*)?((?:19|20)\d{2})",
    re.I,
)
_SKIP = re.compile(
    r"不限|都行|都可以|无所谓|不确定|先不说|不想说|不方便说|跳过|保密|随便|不重要|没关系|"
    r"\bskip\b|any age|doesn'?t matter|not sure|rather not|no preference|\bany\b",
    re.I,
)
_UNBORN = re.compile(r"还没出生|没出生|怀孕|孕期|孕\d+周|预产期|due date|pregnan|not born", re.I)
_BARE_NUMBER = re.compile(r"^\s*(\d{1,2}(?:\.\d)?)\s*$")
# Older than this is not a child's age a parent would give here; between 3 and 12 years the
# finder still reads it, to say that childcare is for under-3s rather than fail to understand.
MAX_MONTHS = 144


@dataclass(frozen=True)
class AgeAnswer:
    """What a message says about the child's age.

    months: whole months when stated; skipped: the parent chose not to say; unborn: the
    baby is not born yet; ambiguous: a bare small number that could be months or years.
    """

    months: int | None = None
    skipped: bool = False
    unborn: bool = False
    ambiguous: float | None = None

    @property
    def understood(self) -> bool:
        return self.months is not None or self.skipped or self.unborn


def _number(text: str) -> float:
    value = chinese_number(text)
    return float(text) if value is None else value


def months_since(year: int, month: int, day: int | None, today: dt.date) -> int | None:
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    months = (today.year - year) * 12 + (today.month - month)
    if day is not None and today.day < day:
        months -= 1
    return months


def parse_child_age(text: str, today: dt.date, *, expecting: bool = False) -> AgeAnswer:
    """The child's age from a message; expecting means it answers "how old is your child?"."""
    text = normalise(text)
    if _UNBORN.search(text):
        return AgeAnswer(unborn=True)
    birth = _birth_months(text, today, expecting)
    if birth is not None:
        return AgeAnswer(unborn=True) if birth < 0 else _bounded(birth)
    match = _YEARS_AND_MONTHS.search(text)
    if match:
        return _bounded(_number(match.group(1)) * 12 + _number(match.group(2)))
    match = _EN_YEARS_AND_MONTHS.search(text)
    if match:
        return _bounded(int(match.group(1)) * 12 + int(match.group(2)))
    match = _YEARS_AND_HALF.search(text)
    if match:
        return _bounded(_number(match.group(1) or match.group(2)) * 12 + 6)
    if _HALF_YEAR.search(text):
        return AgeAnswer(months=6)
    match = _EN_WORD_AGE.search(text)
    if match:
        value = _EN_WORD_NUMBERS[(match.group(1) or match.group(3)).lower()]
        unit = (match.group(2) or match.group(4)).lower()
        return _bounded(value * 12 if unit == "year" else value)
    months = age_in_months(text)
    if months is not None:
        return _bounded(months)
    if expecting:
        bare = _BARE_NUMBER.match(text)
        if bare:
            number = float(bare.group(1))
            # "2" could be two months or two years; anything larger is months.
            return AgeAnswer(ambiguous=number) if number <= 3 else _bounded(number)
        if _SKIP.search(text):
            return AgeAnswer(skipped=True)
    return AgeAnswer()


def _bounded(months: float) -> AgeAnswer:
    whole = int(months)
    return AgeAnswer(months=whole) if 0 <= whole <= MAX_MONTHS else AgeAnswer()


def _birth_months(text: str, today: dt.date, expecting: bool) -> int | None:
    match = _BIRTH_DATE.search(text) or (_BARE_DATE.match(text) if expecting else None)
    if match:
        groups = list(match.groups())
        year, month, day = (
            (groups[0:3] if groups[0] else groups[3:6]) if len(groups) == 6 else groups
        )
        return months_since(int(year), int(month), int(day) if day else None, today)
    match = _RELATIVE_BIRTH.search(text)
    if match:
        year = today.year - _YEARS_BACK[match.group(1)]
        day = int(match.group(3)) if match.group(3) else None
        return months_since(year, int(match.group(2)), day, today)
    match = _BIRTH_YEAR.search(text)
    if match:
        # Only the year: counted from the middle of it, and the results say which age was used.
        return months_since(int(match.group(1) or match.group(2)), 7, None, today)
    match = _EN_BIRTH.search(text)
    if match:
        day, month_name, day_after, year = match.groups()
        day_text = day or day_after
        return months_since(
            int(year),
            _EN_MONTHS[month_name[:3].lower()],
            int(day_text) if day_text else None,
            today,
        )
    return None
