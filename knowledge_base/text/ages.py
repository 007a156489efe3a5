"""The child's age in a message, told apart from how long something has lasted.

"四天大的宝宝发烧" is a 4-day-old baby; "宝宝发烧四天了" is a fever that has lasted four days.
Reading the second as an age raised the under-3-months fever alarm for toddlers, so a number
counts as an age only when nothing around it makes it a duration.
"""

from __future__ import annotations

import re

from knowledge_base.text.normalise import normalise

_NUM = r"(\d+(?:\.\d+)?)"
# Words right before a number that make it a duration: a symptom has lasted N days
# ("烧了4天", "拉肚子3天", "连续两周"), or an ordinal ("第3天").
_DURATION_BEFORE = re.compile(
    r"(?:肚子|鼻涕|感冒|烧|热|退|度|咳|嗽|簌|拉|泻|吐|哭|闹|疼|痛|痒|红|肿|睡|吃|喝|便|秘|持续|连续|连着|反复|断断续续|"
    r"好几|已经有|有|快|近|将近|整整|差不多|这|最近|过去|前|后|第|每|隔|了|都|已经|才)"
    r"\s*(?:了|有|快|近|将近|整整|差不多|都|已经)?\s*$"
)
# Words right after the unit that make it a duration, a point in time or a frequency
# ("1个月病2回": twice a month, not a one-month-old; "2-3天就退了": gone within days).
_DURATION_AFTER = re.compile(
    r"^\s*(?:以前|之前|以后|之后|以来|前(?![天年面几])|后(?![天年面来])|内|左右了?$|多了|都|一次|没"
    r"|(?:要|得|会|就)?(?:生病|病|发烧|烧|感冒|咳嗽|拉肚子|吐)?\s*(?:\d+|两|几|好几)\s*(?:回|次|趟)"
    r"|就(?:退|好|消|没事))"
)
# ...and words that make it the child's age even after such words ("出生4天了", "4天大").
_AGE_BEFORE = re.compile(r"(?:出生|生下来|满|才|刚|宝宝|宝|孩子|娃|女儿|儿子|闺女|新生儿)\s*$")
_AGE_AFTER = re.compile(r"^\s*(?:大|龄|的(?:宝宝|宝|孩子|娃|婴儿|新生儿|小孩|男宝|女宝))")

_UNDER_AFTER = re.compile(r"^\s*(不到|未满|还没满)")
_UNDER_BEFORE = re.compile(r"(不到|未满|没满|不满|还不到)\s*$")
_UNIT = r"(个半|个多|个)?\s*(?:多)?\s*(月|天|周|星期|岁|周岁)"
_CHINESE_AGE = re.compile(_NUM + r"\s*" + _UNIT)
_NEWBORN = re.compile(r"新生儿|初生|刚出生|满月|月子里|出月子|newborn|neonat", re.IGNORECASE)

_EN_UNIT = r"(day|week|wk|month|mo|mth|year|yr|y)s?"
_EN_AGE = re.compile(
    # a bare answer to "how old?": "10 months", "8 weeks"
    rf"^\W*{_NUM}\s*[- ]?{_EN_UNIT}\W*$|"
    # 6-week-old, 3 months old, 2yo
    rf"\b{_NUM}\s*[- ]?{_EN_UNIT}[- ]?old\b|\b{_NUM}\s*yo\b|"
    # 5 month baby, 10mo son
    rf"\b{_NUM}\s*[- ]?{_EN_UNIT}\s+(?:old\s+)?(?:baby|babies|son|daughter|boy|girl|infant|"
    r"toddler|newborn|twins?|kid|child|little one|lo)\b|"
    # "baby 6 weeks, fever 38.8", "baby of 2 months"
    rf"\b(?:baby|son|daughter|lo|newborn|bub|infant|boy|girl)\s+(?:of\s+|aged?\s+)?"
    rf"(?:only\s+|just\s+)?{_NUM}\s*[- ]?{_EN_UNIT}\b"
    r"(?!\s+(?:ago|of|now|later))|"
    # he's 5 months, baby is 7 weeks, at 2 months
    rf"\b(?:is|he'?s|she'?s|baby'?s|at|turned|turning|aged?)\s+(?:only\s+|just\s+)?{_NUM}\s*"
    rf"[- ]?{_EN_UNIT}\b(?!\s+(?:ago|of|now|later|straight|in a row|into|since|with))",
    re.IGNORECASE,
)
_EN_DAYS = {"day": 1 / 30.4, "week": 1 / 4.35, "wk": 1 / 4.35}
# "my two month old", "a six-week-old": number words before a unit, read as digits.
_EN_NUMBERS = "one two three four five six seven eight nine ten eleven twelve".split()  # noqa: SIM905
_EN_NUMBER_WORDS = {word: str(value) for value, word in enumerate(_EN_NUMBERS, start=1)}
_EN_NUMBER_WORD = re.compile(
    rf"\b({'|'.join(_EN_NUMBER_WORDS)}|an?)(?=\s*[- ]?{_EN_UNIT}\b)", re.IGNORECASE
)
# "a month old" is one; "a week ago", "a month of fever" are not ages and stay words.
_EN_ARTICLE_AGE = re.compile(rf"^\s*[- ]?{_EN_UNIT}[- ]old\b", re.IGNORECASE)


def _english_digits(text: str) -> str:
    def digits(match: re.Match[str]) -> str:
        word = match.group(1).lower()
        if word in ("a", "an"):
            return "1" if _EN_ARTICLE_AGE.match(text[match.end() :]) else match.group(0)
        return _EN_NUMBER_WORDS[word]

    return _EN_NUMBER_WORD.sub(digits, text)


_EN_YEARS = {"year", "yr", "y"}


def _is_chinese_age(text: str, match: re.Match[str]) -> bool:
    before = text[max(0, match.start() - 6) : match.start()]
    after = text[match.end() : match.end() + 6]
    if match.group(3) in ("岁", "周岁"):
        return not _DURATION_AFTER.match(after) or bool(_AGE_AFTER.match(after))
    if _AGE_AFTER.match(after) or _AGE_BEFORE.search(before):
        return not _DURATION_AFTER.match(after)
    return not (_DURATION_AFTER.match(after) or _DURATION_BEFORE.search(before))


def _chinese_age(text: str) -> float | None:
    for match in _CHINESE_AGE.finditer(text):
        if not _is_chinese_age(text, match):
            continue
        value = float(match.group(1))
        modifier, unit = match.group(2), match.group(3)
        if unit == "月" and not modifier:
            # "3月" alone is March; as an age it says 3月大, 3月龄 or 宝宝3月.
            before = text[max(0, match.start() - 6) : match.start()]
            after = text[match.end() : match.end() + 6]
            if not (_AGE_AFTER.match(after) or _AGE_BEFORE.search(before)):
                continue
        if unit == "月":
            months = value + (0.5 if modifier == "个半" else 0.0)
            # "3个月不到", "未满3个月": just under.
            if _UNDER_AFTER.match(text[match.end() : match.end() + 3]) or _UNDER_BEFORE.search(
                text[max(0, match.start() - 3) : match.start()]
            ):
                months -= 0.5
            return months
        if unit == "天":
            return value / 30.4
        if unit in ("周", "星期"):
            return value / 4.35
        half = text[match.end() : match.end() + 1] == "半"
        return value * 12 + (6 if half else 0)
    return None


def _english_age(text: str) -> float | None:
    for match in _EN_AGE.finditer(_english_digits(text)):
        groups = [g for g in match.groups() if g is not None]
        value = float(groups[0])
        unit = groups[1].lower() if len(groups) > 1 else "y"
        if unit in _EN_YEARS:
            return value * 12
        return value * _EN_DAYS.get(unit, 1.0)
    return None


def age_in_months(text: str) -> float | None:
    """The child's age if the message states it (months, possibly fractional), else None."""
    text = normalise(text)
    if _NEWBORN.search(text):
        return 0.5
    chinese = _chinese_age(text)
    if chinese is not None:
        return chinese
    return _english_age(text)
