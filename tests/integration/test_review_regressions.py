"""Parents' questions that staff resolved in the review queue still find their entries, with
the real model and index (tests/data/review_regressions.yml, written by `tuoyu review export`
or the console). "Finds" is what the parent would see: the entry is the answer, or the first
of the entries offered (knowledge_base/review_export.py: finds_its_entry)."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from knowledge_base.embedding import SentenceTransformerEmbedder
from knowledge_base.guidance import GuidanceService
from knowledge_base.review_export import (
    REGRESSIONS_FILE,
    RegressionCase,
    finds_its_entry,
    guidance_for_checks,
    load_cases,
)

pytestmark = pytest.mark.integration

CASES = load_cases(Settings.from_env().project_dir / REGRESSIONS_FILE)


@pytest.fixture(scope="module")
def guidance() -> GuidanceService:
    settings = Settings.from_env()
    return guidance_for_checks(
        settings.content_dir,
        settings.index_dir,
        SentenceTransformerEmbedder(settings.embedding_model_dir),
        threshold=settings.confidence_threshold,
        maybe_threshold=settings.maybe_threshold,
    )


def test_the_file_holds_each_question_once() -> None:
    keys = [case.key for case in CASES]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.entry}:{c.question[:20]}" for c in CASES])
def test_a_resolved_question_still_finds_its_entry(
    case: RegressionCase, guidance: GuidanceService
) -> None:
    answer = guidance.answer(case.question, case.language, record_misses=False)
    got = [hit.entry.id for hit in answer.hits[:3]]
    assert finds_its_entry(guidance, case), (
        f"{case.question!r} should find {case.entry} (resolved {case.resolved}); "
        f"the bot's {answer.tier} tier ranks {got}"
    )
