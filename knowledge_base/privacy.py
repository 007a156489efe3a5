"""Masks phone and ID numbers that parents type, before text is logged or stored.

Numbers are found however they are typed: full-width digits (１３８…), any single separator
between groups (space, hyphen, dot, middle dot, slash, underscore) and mobile numbers in
Chinese numerals (一三八…). Digits that are part of a longer token are left alone: a hash
(a3f1381234567890…) or the decimals of a coordinate (39.99612345) is not a phone number.
"""

from __future__ import annotations

import re

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Not preceded by a letter, digit or decimal point; not followed by a letter, digit or
# decimal part ("\w" would also refuse Chinese characters, which do precede numbers).
_START = r"(?<![0-9A-Za-z.])"
_END = r"(?![0-9A-Za-z]|\.\d)"
_SEP = r"[\s\-.·_/]?"
# Mainland resident ID: 17 digits and a check digit or X; 15-digit legacy IDs too.
_RESIDENT_ID = re.compile(_START + r"(\d{6})(\d{8}|\d{6})(\d{3}[\dXx]|\d{1})" + _END)
# Mobile numbers, optionally with +86 and separators: 138 1234 5678, 186.2222.4444.
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z])(?:\+?86[\s-]?)?"
    + r"(1[3-9]\d)"
    + _SEP
    + r"(\d{4})"
    + _SEP
    + r"(\d{4})"
    + _END
)
# Landlines such as 010-12345678 or (010) 1234 5678, and 8-digit local numbers.
_LANDLINE = re.compile(_START + r"(?:\(?0\d{2,3}\)?[\s-]?)?(\d{4})" + _SEP + r"(\d{4})" + _END)
# A mobile number in Chinese numerals: 一三八一二三四五六七八 (幺 and 两 as parents say them).
_CN_DIGIT = "零〇一二三四五六七八九幺两"
_CN_MOBILE = re.compile(
    rf"(?<![{_CN_DIGIT}十])([一幺][三四五六七八九][{_CN_DIGIT}])([{_CN_DIGIT}]{{4}})"
    rf"([{_CN_DIGIT}]{{4}})(?![{_CN_DIGIT}十])"
)
_SERVICE_NUMBERS = frozenset({"12345", "12320", "120", "110", "119"})


def _mask_mobile(match: re.Match[str]) -> str:
    return f"{match.group(1)}****{match.group(3)}"


def _mask_id(match: re.Match[str]) -> str:
    head, middle, tail = match.group(1), match.group(2), match.group(3)
    return head + "*" * len(middle) + tail[:-1] + "*"


def _mask_landline(match: re.Match[str]) -> str:
    whole = match.group(0)
    if whole in _SERVICE_NUMBERS:
        return whole
    return re.sub(r"\d(?=\d{0,3}$)", "*", whole)


def mask_personal_numbers(text: str) -> str:
    """Returns text with resident ID numbers and phone numbers partly hidden.

    Enough digits stay visible for staff to recognise a number the parent gave twice, not
    enough to call or identify anyone. Full-width digits come back half-width.
    """
    text = text.translate(_FULL_WIDTH_DIGITS)
    text = _RESIDENT_ID.sub(_mask_id, text)
    text = _MOBILE.sub(_mask_mobile, text)
    text = _CN_MOBILE.sub(_mask_mobile, text)
    return _LANDLINE.sub(_mask_landline, text)
