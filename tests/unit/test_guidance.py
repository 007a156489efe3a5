from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.content import load_entries
from knowledge_base.guidance import GuidanceAnswer, GuidanceService
from knowledge_base.index import ensure_index
from knowledge_base.review_queue import ReviewQueue
from knowledge_base.search import GuidanceSearch
from tests.unit.conftest import write_entry
from tests.unit.fakes import CharacterGramEmbedder


@pytest.fixture
def service(content_dir: Path, tmp_path: Path) -> tuple[GuidanceService, ReviewQueue]:
    loaded = load_entries(content_dir)
    entries = {e.id: e for e in loaded.entries}
    embedder = CharacterGramEmbedder()
    index, _ = ensure_index(tmp_path / "index", loaded.entries, embedder)
    queue = ReviewQueue(tmp_path / "queue.sqlite3")
    search = GuidanceSearch(index, entries, embedder)
    return GuidanceService(search, entries, queue, threshold=0.5), queue


def test_answers_with_the_best_entry_and_its_source(
    service: tuple[GuidanceService, ReviewQueue],
) -> None:
    guidance, _ = service
    answer = guidance.answer("宝宝几个月加辅食呀", "zh")
    assert answer.confident
    assert answer.entry is not None
    assert answer.entry.id == "solids"
    assert answer.text == "满6月龄添加辅食。"
    assert "国家卫生健康委员会" in answer.source_line
    assert all(e.id != "solids" for e in answer.related)


def test_english_answers_use_the_english_body(
    service: tuple[GuidanceService, ReviewQueue],
) -> None:
    guidance, _ = service
    answer = guidance.answer("safe sleep for my baby", "en")
    assert answer.entry is not None
    assert answer.entry.id == "sleep"
    assert answer.text == "The body text."
    assert not answer.from_summary_only


def test_an_untranslated_entry_answers_in_english_with_its_summary(content_dir: Path) -> None:
    write_entry(content_dir, "sleep", "宝宝安全睡眠", "Safe sleep for babies", body_en=None)
    entry = next(e for e in load_entries(content_dir).entries if e.id == "sleep")
    english = GuidanceAnswer("safe sleep", "en", entry, 1.0)
    assert english.text == "A short answer about Safe sleep for babies."
    assert english.from_summary_only
    chinese = GuidanceAnswer("安全睡眠", "zh", entry, 1.0)
    assert chinese.text == "正文内容。"
    assert not chinese.from_summary_only


def test_drafts_are_never_answered(service: tuple[GuidanceService, ReviewQueue]) -> None:
    guidance, _ = service
    answer = guidance.answer("草稿条目", "zh")
    assert answer.entry is None or answer.entry.id != "draft-entry"
    assert guidance.answer_entry("draft-entry", "zh") is None


def test_low_confidence_is_admitted_and_recorded_with_numbers_masked(
    service: tuple[GuidanceService, ReviewQueue],
) -> None:
    guidance, queue = service
    answer = guidance.answer("xyzzy qwerty 13812345678", "en")
    assert not answer.confident
    assert answer.text == ""
    recorded = queue.recent()
    assert len(recorded) == 1
    assert "13812345678" not in recorded[0].question
    assert recorded[0].language == "en"
    assert recorded[0].best_score is not None


def test_answer_entry_opens_a_known_entry(service: tuple[GuidanceService, ReviewQueue]) -> None:
    guidance, _ = service
    answer = guidance.answer_entry("tax", "en")
    assert answer is not None
    assert answer.entry is not None
    assert answer.question == "Income tax deduction"
    assert guidance.answer_entry("missing", "zh") is None


def test_exact_numbers_lift_the_entry_that_contains_them(content_dir: Path, tmp_path: Path) -> None:
    write_entry(content_dir, "hotline", "咨询电话", "Phone lines", "公共卫生热线12320可以咨询。")
    write_entry(content_dir, "hotline-other", "咨询电话", "Phone lines", "市民热线可以咨询。")
    loaded = load_entries(content_dir)
    entries = {e.id: e for e in loaded.published()}
    embedder = CharacterGramEmbedder()
    index, _ = ensure_index(tmp_path / "exact", loaded.published(), embedder)
    hits = GuidanceSearch(index, entries, embedder).search("咨询电话 12320", limit=2)
    assert hits[0].entry.id == "hotline"
    assert hits[0].score > hits[1].score


def test_a_follow_up_uses_the_age_in_its_own_words(
    service: tuple[GuidanceService, ReviewQueue],
) -> None:
    guidance, _ = service
    answer = guidance.answer("那两岁呢？", "zh", previous_question="宝宝安全睡眠")
    assert answer.entry is not None
    assert answer.entry.id == "sleep"


def test_a_long_post_is_searched_by_its_question_and_key_facts(
    service: tuple[GuidanceService, ReviewQueue],
) -> None:
    guidance, _ = service
    post = (
        "大家好，我是新手妈妈，最近家里特别忙，老公出差，婆婆也回老家了，一个人带娃真的很累。"
        "昨天去超市买了好多东西，还跟朋友聊了很久育儿的事情。朋友们说法都不一样，我也拿不定主意。"
        "宝宝现在5个月了，请问宝宝几个月加辅食？"
    )
    answer = guidance.answer(post, "zh")
    assert answer.entry is not None
    assert answer.entry.id == "solids"
    assert answer.searched_for.endswith("请问宝宝几个月加辅食?")
    assert "超市" not in answer.searched_for


def test_tiers_answer_maybe_and_none(service: tuple[GuidanceService, ReviewQueue]) -> None:
    guidance, queue = service
    guidance.threshold = 2.0
    guidance.maybe_threshold = 0.0
    maybe = guidance.answer("宝宝几个月加辅食", "zh")
    assert maybe.tier == "maybe"
    assert maybe.maybe is not None
    assert maybe.maybe.id == "solids"
    guidance.maybe_threshold = 2.0
    none = guidance.answer("宝宝几个月加辅食", "zh")
    assert none.tier == "none"
    assert none.maybe is None
    assert none.closest
    # Both were uncertain: both are in the staff's review queue (one row, asked twice).
    [row] = queue.recent()
    assert row.times == 2
    guidance.answer("宝宝几个月加辅食", "zh", record_misses=False)
    assert queue.recent()[0].times == 2


def test_english_questions_have_lower_thresholds(
    service: tuple[GuidanceService, ReviewQueue],
) -> None:
    guidance, _ = service
    score = guidance.answer("宝宝几个月加辅食", "zh").score
    # Set just above this score: Chinese falls to "none", English (lowered) reaches "maybe".
    guidance.threshold = 2.0
    guidance.maybe_threshold = score + 0.01
    assert guidance.answer("宝宝几个月加辅食", "zh").tier == "none"
    assert guidance.answer("宝宝几个月加辅食", "en").tier == "maybe"


def test_the_review_queue_counts_repeats_and_caps_one_asker(tmp_path: Path) -> None:
    from knowledge_base.review_queue import MAX_PER_ASKER_PER_DAY

    queue = ReviewQueue(tmp_path / "q.sqlite3")
    for _ in range(3):
        queue.record("宝宝能吃榴莲吗", "zh", None, None, asker="parent-1")
    [row] = queue.recent()
    assert row.times == 3
    for n in range(MAX_PER_ASKER_PER_DAY + 10):
        queue.record(f"flood {n}", "en", None, None, asker="script")
    assert len([r for r in queue.recent(200) if r.question.startswith("flood")]) == (
        MAX_PER_ASKER_PER_DAY
    )
    queue.record("another parent's question", "en", None, None, asker="parent-2")
    assert queue.recent(1)[0].question == "another parent's question"
