"""Messages typed in toneless pinyin ("baobao ye zhu le"), read without guessing characters.

A message counts as pinyin when most of its Latin words split into pinyin syllables; its
pinyin form is those words in lower case with the spaces removed, so "jiao bu xing" and
"jiaobuxing" read the same. The danger-sign data has `pinyin_signs` to match against it.
"""

from __future__ import annotations

import re

_INITIALS = "zh|ch|sh|b|p|m|f|d|t|n|l|g|k|h|j|q|x|r|z|c|s|y|w"
_FINALS = (
    "iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|er|in|un|"
    "ia|ie|iu|ua|uo|ue|ui|ve|a|o|e|i|u|v"
)
_WORD = re.compile(rf"^(?:(?:{_INITIALS})?(?:{_FINALS}))+$")
_LATIN_WORD = re.compile(r"[a-z]+")
# Common English words that are also valid pinyin strings; they say nothing either way.
_AMBIGUOUS = frozenset(
    {
        *("a", "an", "in", "on", "he", "she", "me", "we", "hi", "ok", "yo", "ya", "ye", "wo"),
        *("ban", "can", "fan", "man", "pan", "ran", "tan", "hen", "pen", "ten", "den", "sun"),
        *("run", "fun", "gun", "bun", "pin", "tin", "bin", "ping", "long", "song", "gong"),
        *("hang", "bang", "sang", "gang", "dang", "dong", "ding", "ring", "wing", "zing"),
        *("yeah", "mama", "baba", "die", "lie", "tie", "pie"),
    }
)


_AGE = re.compile(r"(\d+(?:\.\d+)?)\s*(tian|zhou|ge ?yue|yue)\b")
_FEVER = re.compile(r"fa ?shao|fa ?re|gao ?shao|ti ?wen|\b3[89](\.\d)?\b|\b4[01](\.\d)?\b")


def pinyin_age_in_months(text: str) -> float | None:
    """The child's age written in pinyin ("7 zhou", "20 tian", "2 ge yue")."""
    match = _AGE.search(text.lower())
    if not match:
        return None
    value = float(match.group(1))
    unit = match.group(2)
    return value / 30.4 if unit == "tian" else value / 4.35 if unit == "zhou" else value


def mentions_fever(text: str) -> bool:
    return bool(_FEVER.search(text.lower()))


def pinyin_form(text: str) -> str | None:
    """The message's pinyin words joined without spaces, or None if it is not pinyin."""
    words = _LATIN_WORD.findall(text.lower())
    telling = [w for w in words if w not in _AMBIGUOUS]
    if len(words) < 3 or not telling:
        return None
    pinyin = sum(bool(_WORD.match(w)) for w in telling)
    if pinyin / len(telling) < 0.75:
        return None
    return "".join(w for w in words if _WORD.match(w))
