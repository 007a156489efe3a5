"""A long post reduced to what search needs: its questions and its key facts.

Parents paste forum-style posts: how the night went, what grandma said, and somewhere a
question. Embedded whole, the story drowns the question (e5 reads the first 512 tokens and
averages over all of them). A post of several sentences is cut to the sentences that ask
something, plus those that carry the child's age, a symptom or how long it has lasted, in
their original order. Short messages are returned unchanged.

Runs in both Python environments (Rasa's is 3.10): keep it compatible.
"""

from __future__ import annotations

import re

from knowledge_base.text.ages import age_in_months
from knowledge_base.text.normalise import normalise
from knowledge_base.text.scope import asks_something

# Posts shorter than this, or with fewer sentences, are searched as they are.
_LONG_CJK_CHARS = 60
_LONG_LATIN_WORDS = 40
_MIN_SENTENCES = 3
# The reduced query stays within what a question usually is.
_MAX_REDUCED_CHARS = 300

_EN_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_CJK = re.compile(r"[\u4e00-\u9fff]")

# Facts a question depends on: how long, how high, and the symptom or topic words parents use.
_DURATION = re.compile(
    r"\d+\s*(?:个)?(?:天|周|星期|个月|小时|次|度|℃)|"
    r"\b\d+(?:\.\d+)?\s*(?:days?|weeks?|months?|hours?|hrs?|times|°|degrees?|c|f)\b",
    re.IGNORECASE,
)
_KEY_FACT = re.compile(
    r"发烧|发热|烧|咳|拉肚子|腹泻|吐|便秘|疹|过敏|哭|睡|醒|吃|奶|辅食|疫苗|体重|身高|说话|走路|"
    r"托育|托班|幼儿园|补贴|扣除|个税|产假|费用|价格|"
    r"fever|temperature|cough|diarrh|vomit|poo|constipat|rash|allerg|cry|crie|sleep|wak|"
    r"eat|feed|milk|formula|solids|vaccin|weight|talk|walk|nursery|daycare|subsidy|tax|leave|fee",
    re.IGNORECASE,
)
_QUESTION_MARK = re.compile(r"[?？]")


def sentences(text: str) -> list[str]:
    """The sentences of a post, Chinese and English alike."""
    parts: list[str] = []
    for line in text.splitlines():
        for piece in re.findall(r"[^。！？!?；;…]+[。！？!?；;…]*", line):
            parts.extend(p.strip() for p in _EN_SENTENCE_END.split(piece) if p.strip())
    return [p for p in parts if re.search(r"\w", p)]


def is_long_post(text: str) -> bool:
    cjk = len(_CJK.findall(text))
    words = len(re.findall(r"[A-Za-z]{2,}", text))
    long_enough = cjk >= _LONG_CJK_CHARS or words >= _LONG_LATIN_WORDS
    return long_enough and len(sentences(text)) >= _MIN_SENTENCES


def _asks(sentence: str) -> bool:
    return bool(_QUESTION_MARK.search(sentence)) or asks_something(sentence)


def _carries_fact(sentence: str) -> bool:
    return (
        age_in_months(sentence) is not None
        or bool(_DURATION.search(sentence))
        or bool(_KEY_FACT.search(sentence))
    )


def reduce_post(text: str) -> str:
    """The question sentences and key-fact sentences of a long post; a short one unchanged."""
    text = normalise(text)
    if not is_long_post(text):
        return text
    parts = sentences(text)
    asking = [i for i, s in enumerate(parts) if _asks(s)]
    if not asking:
        # A post with no question word usually ends with what the parent wants to know.
        asking = [len(parts) - 1]
    # Questions first in priority, then facts, each kept in the post's own order.
    keep = set(asking)
    reduced = _joined(parts, keep)
    for i, sentence in enumerate(parts):
        if i in keep or not _carries_fact(sentence):
            continue
        candidate = _joined(parts, keep | {i})
        if len(candidate) > _MAX_REDUCED_CHARS:
            break
        keep.add(i)
        reduced = candidate
    return reduced[:_MAX_REDUCED_CHARS]


def _joined(parts: list[str], keep: set[int]) -> str:
    chosen = [parts[i] for i in sorted(keep)]
    separator = " " if not _CJK.search("".join(chosen)) else ""
    return separator.join(chosen)
