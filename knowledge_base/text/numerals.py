"""Chinese numerals as digits where they count something: ages, durations, temperatures."""

from __future__ import annotations

import re

_DIGITS = "零〇一二两三四五六七八九"
# A Chinese number, optionally with a decimal part ("三十八点五").
_CN_NUMBER = rf"[{_DIGITS}十百千万]+(?:点[{_DIGITS}]+)?"
# What a number counts in parents' messages. "个" alone is left alone: "一个人" is not 1个人.
_UNITS = (
    r"个半月|个多月|个月|多月|月|天|日|号|周岁|周|星期|岁|度|次|小时|个小时|钟头|分钟|"
    r"年|斤|公斤|毫升|口|片|粒|颗|胎|孩|娃"
)
_NUMBER_BEFORE_UNIT = re.compile(rf"({_CN_NUMBER})(?=\s*(?:{_UNITS}))")
# Two neighbouring digits are an approximate range, not one number: "三四个月" is three or four
# months (cn2an reads 34), "一两岁" one or two years (not 12), "两三天" two or three days.
_RANGE = re.compile(r"(一|二|两)(二|两|三)|三四|四五|五六|六七|七八|八九")
# Words in which a numeral is part of a word, never a quantity.
_IDIOMS = re.compile(
    r"一(?:直|天到晚|会儿|下子|旦|样|起|边|定|般|些|点儿|口气|次性|时|月份)|三天两头|"
    r"十月怀胎|星期[一二三四五六日天]|礼拜[一二三四五六日天]|周[一二三四五六日]"
)


def chinese_number(text: str) -> float | None:
    """The value of a Chinese numeral ("十一" → 11, "三十八点五" → 38.5, "两" → 2), else None."""
    import cn2an  # imported on first use: it reads its configuration when imported

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return float(value)


def _format(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def arabic_numerals(text: str) -> str:
    """Chinese numerals followed by a unit become digits: "两个月" → "2个月", "三十九度" →
    "39度", "2024年十月出生" → "2024年10月出生". Words such as "一直", "一下子" and "星期三" are
    left as they are."""
    protected = [(m.start(), m.end()) for m in _IDIOMS.finditer(text)]

    def replace(match: re.Match[str]) -> str:
        if any(start <= match.start() < end for start, end in protected):
            return match.group(0)
        numeral = match.group(1)
        if _RANGE.fullmatch(numeral):
            low, high = chinese_number(numeral[0]), chinese_number(numeral[1])
            if low is not None and high is not None and high == low + 1:
                return f"{_format(low)}-{_format(high)}"
        value = chinese_number(numeral)
        return match.group(0) if value is None else _format(value)

    return _NUMBER_BEFORE_UNIT.sub(replace, text)
