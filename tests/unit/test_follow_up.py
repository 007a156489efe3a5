from __future__ import annotations

import pytest

from knowledge_base.follow_up import follow_up_query, is_follow_up


@pytest.mark.parametrize(
    "text", ["那两岁呢？", "两岁呢", "18个月呢?", "那二胎呢", "what about at 2?", "如果是双胞胎"]
)
def test_follow_ups_are_recognised(text: str) -> None:
    assert is_follow_up(text)


@pytest.mark.parametrize(
    "text",
    [
        "宝宝几个月可以加辅食？",
        "when can my baby start solids",
        "好的",
        "那个托育机构收费太贵了怎么投诉才好呢",
    ],
)
def test_whole_questions_are_not_follow_ups(text: str) -> None:
    assert not is_follow_up(text)


def test_follow_up_is_searched_with_the_previous_question() -> None:
    assert follow_up_query("宝宝几个月加辅食", "那两岁呢？") == "宝宝几个月加辅食 那两岁呢？"
    assert follow_up_query(None, "那两岁呢？") == "那两岁呢？"
    assert follow_up_query("宝宝几个月加辅食", "育儿补贴怎么领") == "育儿补贴怎么领"
