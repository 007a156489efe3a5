from __future__ import annotations

import pytest

from knowledge_base.privacy import mask_personal_numbers


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("我的电话13812345678，请回电", "12345678"),
        ("call me on +86 138 1234 5678", "1234 5678"),
        ("身份证号110105199001011234", "19900101"),
        ("身份证 11010519900101123X 办补贴", "19900101"),
        ("座机010-65123456", "65123456"),
    ],
)
def test_masks_phone_and_id_numbers(text: str, hidden: str) -> None:
    masked = mask_personal_numbers(text)
    assert hidden not in masked
    assert "*" in masked


@pytest.mark.parametrize(
    "text", ["紧急情况拨打120", "有问题打12345", "宝宝8个月，体重9公斤", "每月2000元"]
)
def test_leaves_ordinary_numbers_alone(text: str) -> None:
    assert mask_personal_numbers(text) == text


def test_mobile_keeps_enough_to_recognise_but_not_to_call() -> None:
    assert mask_personal_numbers("13812345678") == "138****5678"
