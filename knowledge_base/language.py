"""Which language a parent is writing in, so the bot can answer in the same one."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["zh", "en"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")

# Latin-letter words that Chinese-speaking parents type in Chinese chats as well; on their
# own they say nothing about which language to answer in.
_LANGUAGE_NEUTRAL = frozenset(
    {
        "ok",
        "okk",
        "okay",
        "emm",
        "emmm",
        "hhh",
        "hh",
        "haha",
        "hahaha",
        "thx",
        "tks",
        "pls",
        "plz",
        "app",
        "bb",
        "kk",
    }
)


def detect_language(text: str) -> Language | None:
    """Returns "zh" or "en", or None when the text does not tell (emoji, "ok", digits).

    English with a few Chinese terms in it ("how do I claim in the 个人所得税 app") is English:
    parents living in Beijing name offices and apps in Chinese whatever language they write.
    """
    words = [w.lower() for w in _LATIN_WORD.findall(text)]
    english_words = sum(w not in _LANGUAGE_NEUTRAL for w in words)
    cjk = len(_CJK.findall(text))
    if cjk and english_words <= cjk:
        return "zh"
    if english_words:
        return "en"
    return None


def text_size(text: str) -> tuple[int, int]:
    """How much a message says: its Chinese characters and its Latin words."""
    return len(_CJK.findall(text)), len(_LATIN_WORD.findall(text))
