"""Masks phone and ID numbers that parents type, before text is logged or stored."""

from __future__ import annotations

import re

# Mainland resident ID: 17 digits and a check digit or X; 15-digit legacy IDs too.
_RESIDENT_ID = re.compile(r"(?<!\d)(\d{6})(\d{8}|\d{6})(\d{3}[\dXx]|\d{1})(?![\dXx])")
# Mobile numbers, optionally with +86 and separators: 138 1234 5678, 138-1234-5678.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
# Landlines such as 010-12345678 or (010) 1234 5678, and 8-digit local numbers.
_LANDLINE = re.compile(r"(?<!\d)(?:\(?0\d{2,3}\)?[\s-]?)?(\d{4})[\s-]?(\d{4})(?!\d)")
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
    enough to call or identify anyone.
    """
    text = _RESIDENT_ID.sub(_mask_id, text)
    text = _MOBILE.sub(_mask_mobile, text)
    return _LANDLINE.sub(_mask_landline, text)
