import pytest

from knowledge_base.registry.search_request import (
    SearchChanges,
    SearchFilters,
    fee_limit,
    parse_search_changes,
)


@pytest.mark.parametrize(
    ("text", "fee"),
    [
        ("不超过3000", 3000),
        ("3000以内", 3000),
        ("每月两千五以内", 2500),
        ("3k以下", 3000),
        ("under 2500 yuan", 2500),
        ("budget 4000", 4000),
        ("预算每月3500元", 3500),
        ("2000左右", 2200),
        ("around 3000", 3300),
        ("孩子22个月", None),
        ("望京附近", None),
        ("不超过5", None),  # not a monthly fee
    ],
)
def test_fee_limits(text: str, fee: float | None) -> None:
    assert fee_limit(text) == fee


def test_refinements_from_the_issue() -> None:
    assert parse_search_changes("附近有普惠的吗").inclusive_only is True
    assert parse_search_changes("要有空位的").has_vacancy is True
    assert parse_search_changes("不超过3000").max_fee_yuan == 3000
    assert parse_search_changes("only inclusive ones").inclusive_only is True
    assert parse_search_changes("with vacancies").has_vacancy is True


def test_a_parent_can_drop_a_condition() -> None:
    assert parse_search_changes("普惠不普惠都行").inclusive_only is False
    assert parse_search_changes("not necessarily inclusive").inclusive_only is False
    changes = parse_search_changes("价格不限")
    assert changes.no_fee_limit
    assert changes.max_fee_yuan is None


def test_care_modes_and_provider_types() -> None:
    assert parse_search_changes("半日托的有吗").care_mode == "半日托"
    assert parse_search_changes("hourly care please").care_mode == "计时托"
    assert parse_search_changes("社区托育点").provider_type == "社区托育点"
    assert parse_search_changes("幼儿园托班").provider_type == "幼儿园托班"


def test_paging_and_starting_over() -> None:
    assert parse_search_changes("再看几家").more
    assert parse_search_changes("show me more").more
    assert parse_search_changes("清除条件").clear
    assert parse_search_changes("换个地方").new_place
    assert not parse_search_changes("望京附近的托育").refines


def test_changes_accumulate_and_clear() -> None:
    filters = SearchFilters()
    filters = parse_search_changes("附近有普惠的吗").apply(filters)
    filters = parse_search_changes("要有空位的").apply(filters)
    filters = parse_search_changes("不超过3000").apply(filters)
    assert filters == SearchFilters(inclusive_only=True, has_vacancy=True, max_fee_yuan=3000)
    assert SearchFilters.from_slot(filters.to_slot()) == filters
    assert parse_search_changes("清除条件").apply(filters) == SearchFilters()
    assert SearchChanges(no_fee_limit=True).apply(filters).max_fee_yuan is None


def test_slot_values_from_elsewhere_are_read_safely() -> None:
    assert SearchFilters.from_slot(None) == SearchFilters()
    assert SearchFilters.from_slot({"max_fee_yuan": "lots", "care_mode": 3}) == SearchFilters()
