from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.registry.check import RegistrationCheck
from knowledge_base.registry.reader import parse_file
from tests.unit.test_registry import row, write_csv


@pytest.fixture
def checker(tmp_path: Path) -> RegistrationCheck:
    rows = [
        row("BJ001", 机构名称="小海豚托育中心（望京店）", 地址="朝阳区望京西路18号"),
        row("BJ002", 机构名称="彩虹树婴幼儿照护中心", 地址="海淀区中关村大街5号"),
        row("BJ003", 机构名称="阳光宝贝托育园", 地址="丰台区方庄路2号"),
    ]
    return RegistrationCheck(parse_file(write_csv(tmp_path / "r.csv", rows)).institutions)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("小海豚托育中心望京店", "BJ001"),
        ("小海豚", "BJ001"),
        ("小海豚托有中心", "BJ001"),  # typo
        ("火爆招生！！小海豚托育 望京西路 电话13812345678 名额有限", "BJ001"),
        ("彩虹树照护中心是不是正规的", "BJ002"),
        ("中关村大街5号那家托育", "BJ002"),
        ("bj003", "BJ003"),
    ],
)
def test_finds_the_registered_place(checker: RegistrationCheck, query: str, expected: str) -> None:
    matches = checker.check(query)
    assert matches
    assert matches[0].institution.registration_no == expected


@pytest.mark.parametrize("query", ["金色摇篮早教中心", "托育中心", "", "！！！"])
def test_unknown_places_are_not_found(checker: RegistrationCheck, query: str) -> None:
    assert checker.check(query) == []
