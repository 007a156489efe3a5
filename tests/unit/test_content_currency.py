"""The shipped knowledge base is current: what changed since the 2023–2025 plan is said, the
numbers parents need are the right ones, and review dates come from real reviews."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from knowledge_base.content import Entry, load_entries

CONTENT_DIR = Path(__file__).resolve().parents[2] / "knowledge_base" / "content"
ENTRIES = {e.id: e for e in load_entries(CONTENT_DIR).published()}


def everything(entry: Entry) -> str:
    return "\n".join([*entry.title.values(), *entry.summary.values(), entry.body, entry.body_en])


def test_every_entry_has_a_full_english_body() -> None:
    short = [e.id for e in ENTRIES.values() if len(e.body_en) < 0.5 * len(e.summary["en"])]
    assert short == []
    assert all(e.body_en for e in ENTRIES.values())


def test_the_knowledge_base_grew_by_the_new_topics() -> None:
    for entry_id in (
        "maternity-leave-beijing",
        "parental-leave-beijing",
        "tax-annual-reconciliation",
        "newborn-birth-one-thing-service",
        "newborn-medical-insurance",
        "night-paediatric-emergency",
        "postnatal-depression",
        "croup-barking-cough",
        "roseola",
        "rabies-animal-bites",
        "cows-milk-protein-allergy",
    ):
        assert entry_id in ENTRIES
    assert len(ENTRIES) >= 147


def test_entries_built_on_the_beijing_plan_say_that_it_has_ended() -> None:
    on_plan = [
        e
        for e in ENTRIES.values()
        if "三年行动方案" in e.source.document or "行动方案（2023" in e.body
    ]
    assert on_plan
    for entry in on_plan:
        assert re.search(r"已结束|已经结束|已于.{0,8}(?:结束|到期)", entry.body), entry.id
        assert re.search(r"\bended\b|came to an end|expired", entry.body_en), entry.id


def test_no_entry_says_the_subsidy_is_still_being_explored() -> None:
    stale = re.compile(r"正在探索|正探索|being explored|is exploring|are exploring")
    assert [e.id for e in ENTRIES.values() if stale.search(everything(e))] == []


def test_tax_entries_give_12366_and_mental_health_entries_give_12356() -> None:
    for entry in ENTRIES.values():
        if "tax" in entry.topics:
            assert "12366" in entry.body, entry.id
            assert "12366" in entry.body_en, entry.id
    for entry_id in ("parent-mental-health", "postnatal-depression"):
        assert "12356" in ENTRIES[entry_id].body
        assert "12356" in ENTRIES[entry_id].body_en


def test_the_dtap_schedule_is_the_one_in_force_since_2025() -> None:
    entry = ENTRIES["vaccines-first-year"]
    assert "2025年1月1日" in everything(entry)
    assert re.search(r"2、4、6.{0,3}18月龄", everything(entry))
    assert "2, 4, 6 and 18 months" in everything(entry)


def test_the_fever_entry_has_the_current_advice() -> None:
    text = everything(ENTRIES["fever-when-to-see-doctor"])
    assert "不需要额外喂水" in text
    assert "39℃" in text
    assert "5天" in text
    assert "不褪色" in text
    assert "no extra water" in text


def test_diarrhoea_gets_oral_rehydration_and_zinc() -> None:
    text = everything(ENTRIES["diarrhoea-dehydration"])
    assert "口服补液盐" in text
    assert "锌" in text
    assert "zinc" in text


@pytest.mark.parametrize("entry", list(ENTRIES.values()), ids=lambda e: e.id)
def test_review_dates_are_real(entry: Entry) -> None:
    reviewed = dt.date.fromisoformat(entry.reviewed_on)
    due = dt.date.fromisoformat(entry.review_due)
    assert reviewed <= dt.date(2026, 12, 1) < due


def test_review_dates_are_not_one_stamp_for_all() -> None:
    stamps = {(e.reviewed_on, e.review_due) for e in ENTRIES.values()}
    assert len(stamps) >= 3
