from __future__ import annotations

import pytest

from knowledge_base.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("宝宝几个月可以加辅食？", "zh"),
        ("when can my baby start solid food?", "en"),
        ("我家baby 8个月了", "zh"),
        ("my baby wont sleep", "en"),
        ("ok", None),
        ("OK的", "zh"),
        ("👍", None),
        ("12345", None),
        ("thx", None),
        ("hi", "en"),
        # English with Chinese names of apps and offices in it is English.
        ("Trying to claim for DS in the 个人所得税 app and I'm lost", "en"),
        ("does every 街道 in chaoyang have subsidised childcare", "en"),
        ("Wangjing附近 托育园 有空位吗", "zh"),
        ("hi 你好", "zh"),
    ],
)
def test_detects_the_language_a_parent_writes_in(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected
