import datetime as dt

import pytest

from knowledge_base.child_age import parse_child_age

TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("22个月", 22),
        ("孩子22个月，想找望京的托育", 22),
        ("1岁10个月", 22),
        ("一岁半", 18),
        ("两岁", 24),
        ("2岁3个月", 27),
        ("1岁零3个月", 15),
        ("半岁", 6),
        ("十个月", 10),
        ("10 months", 10),
        ("my 18-month-old", 18),
        ("2 years old", 24),
        ("1.5岁", 18),
        ("two years old", 24),
        ("2 yrs 3 months", 27),
        ("1 and a half years", 18),
        ("2025年1月出生", 22),
        ("宝宝2025年3月出生", 20),
        ("2024-12-15生的", 23),  # not yet 24 months on 30 November
        ("born March 2025", 20),
        ("born 3 Jan 2025", 22),
        ("兩歲", 24),  # traditional characters
        ("2024年出生的", 28),  # only the year: counted from its middle
        ("born in 2025", 16),
        ("孩子2019年出生", 88),
    ],
)
def test_ages_as_parents_give_them(text: str, months: int) -> None:
    assert parse_child_age(text, TODAY).months == months


def test_a_birth_date_alone_counts_only_as_an_answer() -> None:
    assert parse_child_age("2025.01", TODAY, expecting=True).months == 22
    assert parse_child_age("2025.01", TODAY).months is None


def test_a_small_bare_number_is_ambiguous_and_a_larger_one_is_months() -> None:
    assert parse_child_age("2", TODAY, expecting=True).ambiguous == 2
    assert parse_child_age("22", TODAY, expecting=True).months == 22
    assert parse_child_age("22", TODAY).months is None


@pytest.mark.parametrize("text", ["不确定", "先不说", "skip", "doesn't matter"])
def test_parents_may_decline_to_say(text: str) -> None:
    answer = parse_child_age(text, TODAY, expecting=True)
    assert answer.skipped
    assert answer.months is None


@pytest.mark.parametrize(
    "text", ["还没出生", "怀孕5个月了", "due date is in March", "2027年2月出生"]
)
def test_an_unborn_baby_is_recognised(text: str) -> None:
    answer = parse_child_age(text, TODAY)
    assert answer.unborn
    assert answer.months is None


@pytest.mark.parametrize(
    "text", ["不超过3000", "3000以内", "望京附近", "要有空位的", "朝阳区8号楼"]
)
def test_fees_places_and_filters_are_not_ages(text: str) -> None:
    assert not parse_child_age(text, TODAY, expecting=True).understood


def test_implausible_ages_are_not_taken() -> None:
    assert parse_child_age("200个月", TODAY).months is None
    assert parse_child_age("1990年5月出生", TODAY).months is None
