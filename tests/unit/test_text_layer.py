"""The one text layer: traditional characters, Chinese numerals, ages told from durations."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge_base.child_age import parse_child_age
from knowledge_base.text import age_in_months, arabic_numerals, chinese_number, normalise
from knowledge_base.text.pinyin import pinyin_form


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("寶寶發燒怎麼辦", "宝宝发烧怎么办"),
        ("衞生 著急 裏面", "卫生 着急 里面"),  # Hong Kong and Taiwan variants too
        ("１５８　１２３４", "158 1234"),  # full-width digits and spaces
        ("体温３９℃", "体温39°C"),
        ("  two   spaces ", "two spaces"),
    ],
)
def test_normalise_gives_one_form_however_it_was_typed(typed: str, expected: str) -> None:
    assert normalise(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("两个月", "2个月"),
        ("十一个月", "11个月"),
        ("三十八点五度", "38.5度"),
        ("发烧四天", "发烧4天"),
        ("2024年十月出生", "2024年10月出生"),
        ("一直哭 一下子 一会儿", "一直哭 一下子 一会儿"),  # words, not quantities
        ("星期三去打疫苗", "星期三去打疫苗"),
        ("一个人在家", "一个人在家"),
        ("宝宝三四个月", "宝宝3-4个月"),  # a range, not 34 months
        ("孩子一两岁", "孩子1-2岁"),
        ("两三天就退了", "2-3天就退了"),
        ("二十三天", "23天"),
    ],
)
def test_chinese_numerals_become_digits_only_where_they_count(typed: str, expected: str) -> None:
    assert arabic_numerals(typed) == expected


def test_chinese_number_values() -> None:
    assert chinese_number("两") == 2
    assert chinese_number("二十四") == 24
    assert chinese_number("三十八点五") == 38.5
    assert chinese_number("不是数") is None


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("四天大的宝宝发烧", 4 / 30.4),
        ("宝宝出生四天了 发烧", 4 / 30.4),
        ("两个月宝宝", 2.0),
        ("两个半月的宝宝", 2.5),
        ("新生儿", 0.5),
        ("10周的宝宝", 10 / 4.35),
        ("宝宝三月大", 3.0),
        ("孩子1岁半", 18.0),
        ("my 6-week-old has a fever", 6 / 4.35),
        ("baby is 7 weeks", 7 / 4.35),
        ("10 months", 10.0),
        # "Of", and numbers in words (fresh_21: "baby of 2 months is having fever 38.5").
        ("baby of 2 months is having fever 38.5", 2.0),
        ("my two month old has a fever of 38.5", 2.0),
        ("a six-week-old with a temperature", 6 / 4.35),
        ("a month old baby", 1.0),
        # A range told in Chinese digits (its upper end, as "3-4个月" is read), not 34 months.
        ("宝宝三四个月能吃辅食吗", 4.0),
        ("孩子一两岁了还不会说话", 24.0),
        # A frequency and a duration, not a one-month-old or a three-day-old.
        ("孩子一个月发烧两次，每次都是38度左右，两三天就退了", None),
        ("宝宝两个月就会翻身了", 2.0),
        # Durations, dates and ordinals are not ages.
        ("fever for two months", None),
        ("it has been a month of fever", None),
        ("baby had a fever a week ago", None),
        ("宝宝发烧四天了", None),
        ("拉肚子三天", None),
        ("高烧不退3天了", None),
        ("烧了2天了", None),
        ("3月份打疫苗", None),
        ("she's 2 days into a fever", None),
        ("fever for 4 days", None),
        ("宝宝2个月前打过疫苗", None),
    ],
)
def test_ages_are_told_from_durations(text: str, months: float | None) -> None:
    age = age_in_months(text)
    if months is None:
        assert age is None
    else:
        assert age == pytest.approx(months, abs=0.01)


def test_a_fever_of_several_days_is_not_a_newborns_age() -> None:
    # "发烧四天" used to be read as a four-day-old baby and raise the young-infant alarm.
    assert age_in_months("宝宝发烧四天了 两岁") == 24.0


@pytest.mark.parametrize(
    ("text", "months"),
    [("2024年十月出生", 13), ("去年三月出生的", 20), ("今年1月生的", 10)],
)
def test_birth_months_with_chinese_numerals_and_relative_years(text: str, months: int) -> None:
    assert parse_child_age(text, dt.date(2025, 11, 20)).months == months


def test_pinyin_messages_are_read_without_spaces() -> None:
    assert pinyin_form("haizi chou chu le, jiao ta mei fan ying") == (
        "haizichouchulejiaotameifanying"
    )
    assert pinyin_form("my baby is choking on a grape") is None
    assert pinyin_form("宝宝发烧了") is None
