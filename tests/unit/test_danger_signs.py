"""The danger-sign layer against tests/data/danger_signs_regression.yml (written separately
from the patterns): every emergency caught with its category, no near-miss triggered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge_base.danger_signs import (
    DangerSignDetector,
    body_temperature_celsius,
    emergency_reply,
)
from knowledge_base.text import normalise

REGRESSION = Path(__file__).resolve().parents[1] / "data" / "danger_signs_regression.yml"
CASES: dict[str, Any] = yaml.safe_load(REGRESSION.read_text("utf-8"))


@pytest.fixture(scope="module")
def detector() -> DangerSignDetector:
    return DangerSignDetector.from_file()


def test_the_regression_set_is_big_enough() -> None:
    assert len(CASES["must_trigger"]) + len(CASES["must_not_trigger"]) >= 60
    assert {"text": "退烧药怎么保存"} in CASES["must_not_trigger"]
    categories = {case["category"] for case in CASES["must_trigger"]}
    assert len(categories) >= 9


@pytest.mark.parametrize(
    "case", CASES["must_trigger"], ids=lambda c: f"{c['category']}:{c['text'][:20]}"
)
def test_every_danger_sign_is_caught_with_its_category(
    detector: DangerSignDetector, case: dict[str, str]
) -> None:
    sign = detector.detect(case["text"])
    assert sign is not None, case["text"]
    assert sign.category == case["category"]


@pytest.mark.parametrize("case", CASES["must_not_trigger"], ids=lambda c: c["text"][:24])
def test_near_misses_do_not_trigger(detector: DangerSignDetector, case: dict[str, str]) -> None:
    assert detector.detect(case["text"]) is None


@pytest.mark.parametrize(
    ("text", "celsius"),
    [("体温38.5", 38.5), ("fever of 102F", 38.9), ("洗澡水38度可以吗", None), ("量了39度", 39.0)],
)
def test_only_the_childs_temperature_counts(text: str, celsius: float | None) -> None:
    value = body_temperature_celsius(text)
    assert value == (pytest.approx(celsius, abs=0.1) if celsius is not None else None)


def test_traditional_characters_are_normalised() -> None:
    assert normalise("寶寶呼吸困難") == "宝宝呼吸困难"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_category_has_steps_and_a_number_in_both_languages(
    detector: DangerSignDetector, language: str
) -> None:
    for category in detector.categories:
        assert category.number in {"120", "110", "12356"}
        assert len(category.steps[language]) >= 2, category.key
    # The line a child's emergency ends with when its writer is in crisis too.
    crisis = detector.category("parent_crisis")
    assert crisis is not None
    assert "12356" in crisis.after_emergency[language]


def test_emergency_reply_names_number_steps_and_source(detector: DangerSignDetector) -> None:
    reply = emergency_reply(detector, "宝宝被开水烫到了", "zh")
    assert reply.category == "burns"
    assert reply.number == "120"
    assert reply.steps_text.startswith("1. ")
    assert "国家卫生健康委员会" in reply.source_line
    abuse = emergency_reply(detector, "保姆打孩子", "en")
    assert abuse.number == "110"
    assert "110" in abuse.steps_text


def _traditional_variants() -> list[tuple[str, str, str | None]]:
    """Every Chinese regression message as Taiwan and Hong Kong parents would type it,
    made with OpenCC (s2twp: Taiwan phrasing; s2hk: Hong Kong characters)."""
    import opencc

    variants = []
    for config in ("s2twp", "s2hk"):
        converter = opencc.OpenCC(config)
        for case in CASES["must_trigger"]:
            converted = converter.convert(case["text"])
            if converted != case["text"]:
                variants.append((config, converted, case["category"]))
        for case in CASES["must_not_trigger"]:
            converted = converter.convert(case["text"])
            if converted != case["text"]:
                variants.append((config, converted, None))
    return variants


VARIANTS = _traditional_variants()


def test_the_traditional_variants_are_many() -> None:
    assert len(VARIANTS) >= 150


@pytest.mark.parametrize(
    ("config", "text", "category"), VARIANTS, ids=lambda v: v if len(str(v)) < 12 else ""
)
def test_taiwan_and_hong_kong_spellings_get_the_same_answer(
    detector: DangerSignDetector, config: str, text: str, category: str | None
) -> None:
    sign = detector.detect(text)
    assert (sign.category if sign else None) == category, (config, text)


@pytest.mark.parametrize(
    ("text", "now"),
    [
        # Someone else's reassurance, doubted by the writer: the danger is still now.
        ("奶奶说没事，让他睡一觉就好了。可是他摔下来以后吐了三次，真的睡一觉就行吗", True),
        ("My husband says he's fine, should we just watch him tonight? He vomited twice", True),
        # Not doubted, or the writer's own words: over.
        ("奶奶说他吐了两次，现在没事了，在玩", False),
        ("He vomited twice but he's fine now, should we just watch him tonight?", False),
    ],
)
def test_a_reassurance_the_writer_doubts_does_not_make_it_over(
    detector: DangerSignDetector, text: str, now: bool
) -> None:
    assert detector.describes_now(text) is now
