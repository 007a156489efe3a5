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


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("电话１３８１２３４５６７８", "12345678"),
        ("打我电话186.2222.4444", "2222.4444"),
        ("号码是 186·2222·4444", "2222·4444"),
        ("186/2222/4444", "2222/4444"),
        ("我手机一三八一二三四五六七八", "一二三四五六七八"),
        ("幺三八 不对 是幺八六二二二二四四四四", "二二二二四四四四"),
        ("身份证１１０１０５１９９００１０１１２３４", "19900101"),
    ],
)
def test_masks_numbers_however_they_are_typed(text: str, hidden: str) -> None:
    masked = mask_personal_numbers(text)
    assert hidden not in masked
    assert "*" in masked


@pytest.mark.parametrize(
    "text",
    [
        "sha256 a3f1381234567890b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7",
        "位置 39.99612345,116.47098765",
        "宝宝会数一二三四五六七八九十了",
        "体重 12.5 公斤，身高 86.5 厘米",
    ],
)
def test_leaves_hashes_coordinates_and_counting_alone(text: str) -> None:
    assert mask_personal_numbers(text) == text
