"""Follow-up questions that only make sense with the previous one ("那两岁呢？")."""

from __future__ import annotations

import re

from knowledge_base.text import age_in_months

_FOLLOW_UP_START = re.compile(
    # 那 as "then, what about", not 那个/那家 ("that one").
    r"^\s*(那(?![个家些边里天次位种])|如果是|要是|假如|换成|换做|还有|"
    r"what about|how about|and if|what if|and for|and at|and when|same for)",
    re.IGNORECASE,
)
_ENDS_AS_FOLLOW_UP = re.compile(r"(呢|嘞|咧)\s*[?？]?\s*$")
MAX_FOLLOW_UP_CHARS = 20


def is_follow_up(text: str) -> bool:
    """Short questions that lean on the previous one: 那两岁呢, 二胎呢, what about at 2?"""
    text = text.strip()
    if not text or len(text) > MAX_FOLLOW_UP_CHARS:
        return False
    if _FOLLOW_UP_START.search(text):
        return True
    # "两岁呢？" / "18个月呢": an age alone, asked as a continuation.
    return bool(_ENDS_AS_FOLLOW_UP.search(text)) and age_in_months(text) is not None


def follow_up_query(previous_question: str | None, text: str) -> str:
    """The question to search: the previous one with the follow-up, or the text alone."""
    if previous_question and is_follow_up(text):
        return f"{previous_question.strip()} {text.strip()}"
    return text
