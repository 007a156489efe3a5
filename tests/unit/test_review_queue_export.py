"""Resolved questions as regression cases: merged without duplicates, written only once they
find their entry, and `tuoyu review export`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import cli
from knowledge_base.guidance import GuidanceService
from knowledge_base.review_export import (
    HEADER,
    RegressionCase,
    export_cases,
    export_review_cases,
    finds_its_entry,
    load_cases,
)
from knowledge_base.review_queue import ResolvedQuestion, ReviewQueue
from tests.unit.fakes import CharacterGramEmbedder


def resolved(question: str, entry: str, language: str = "zh") -> ResolvedQuestion:
    return ResolvedQuestion(question, language, entry, "2026-12-01T10:00:00+00:00")


def test_new_cases_are_added_masked_and_the_rest_kept_without_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "review_regressions.yml"
    report = export_cases(
        [resolved("电话13812345678 宝宝发烧", "fever"), resolved("solid food", "solids", "en")],
        path,
        lambda case: True,
    )
    assert (len(report.added), report.total) == (2, 2)
    text = path.read_text("utf-8")
    assert text.startswith(HEADER)
    assert "13812345678" not in text
    assert load_cases(path) == [
        RegressionCase("电话138****5678 宝宝发烧", "zh", "fever", "2026-12-01"),
        RegressionCase("solid food", "en", "solids", "2026-12-01"),
    ]
    again = export_cases([resolved("solid food", "solids", "en")], path, lambda case: False)
    assert (len(again.added), again.unchanged, again.total) == (0, 1, 2)
    assert path.read_text("utf-8") == text


def test_a_question_resolved_to_another_entry_since_changes_its_case(tmp_path: Path) -> None:
    path = tmp_path / "review_regressions.yml"
    export_cases([resolved("宝宝几个月能吃盐", "feeding-solids-start")], path, lambda c: True)
    report = export_cases(
        [resolved("宝宝几个月能吃盐", "feeding-first-foods")], path, lambda c: True
    )
    assert [c.entry for c in report.updated] == ["feeding-first-foods"]
    assert [c.entry for c in load_cases(path)] == ["feeding-first-foods"]


def test_a_case_that_does_not_find_its_entry_yet_waits(tmp_path: Path) -> None:
    path = tmp_path / "review_regressions.yml"
    report = export_cases(
        [resolved("found", "a"), resolved("not yet", "b")], path, lambda case: case.entry == "a"
    )
    assert [c.question for c in report.waiting] == ["not yet"]
    assert [c.question for c in load_cases(path)] == ["found"]
    assert "1 resolved questions do not find their entry yet" in report.summary()


def test_an_empty_export_writes_the_header_and_no_cases(tmp_path: Path) -> None:
    path = tmp_path / "data" / "review_regressions.yml"
    export_cases([], path, lambda case: True)
    assert yaml.safe_load(path.read_text("utf-8")) == {"cases": []}
    assert load_cases(tmp_path / "missing.yml") == []


@pytest.mark.parametrize(
    "body",
    [
        "- just a list\n",
        "cases:\n  - question: q\n    language: fr\n    entry: e\n    resolved: '2026-12-01'\n",
        "cases:\n  - question: ''\n    language: zh\n    entry: e\n    resolved: '2026-12-01'\n",
        "cases:\n  - 5\n",
    ],
)
def test_a_malformed_file_is_refused_with_a_reason(tmp_path: Path, body: str) -> None:
    path = tmp_path / "review_regressions.yml"
    path.write_text(body, "utf-8")
    with pytest.raises(ValueError, match=r"case|mapping|language"):
        load_cases(path)


def test_finding_an_entry_means_answered_with_it_or_offered_it_first(
    guidance_service: GuidanceService,
) -> None:
    assert finds_its_entry(guidance_service, RegressionCase("宝宝几个月加辅食", "zh", "solids", ""))
    assert not finds_its_entry(
        guidance_service, RegressionCase("宝宝几个月加辅食", "zh", "sleep", "")
    )
    guidance_service.threshold = 2.0  # nothing is trusted: the middle tier offers it first
    guidance_service.maybe_threshold = 0.0
    assert finds_its_entry(guidance_service, RegressionCase("宝宝几个月加辅食", "zh", "solids", ""))


def test_the_export_from_the_queue_checks_with_the_real_search_path(
    content_dir: Path, tmp_path: Path
) -> None:
    queue = ReviewQueue(tmp_path / "q.sqlite3")
    queue.record("宝宝几个月加辅食", "zh", None, None, asker="a")
    queue.record("qqq zzz www", "zh", None, None, asker="b")
    for row in queue.rows("open"):
        queue.resolve([row.id], "solids", "editor1")
    path = tmp_path / "out.yml"
    report = export_review_cases(
        tmp_path / "q.sqlite3",
        path,
        content_dir=content_dir,
        index_dir=tmp_path / "index",
        embedder=CharacterGramEmbedder(),
        threshold=0.5,
    )
    assert [c.question for c in report.added] == ["宝宝几个月加辅食"]
    assert [c.question for c in report.waiting] == ["qqq zzz www"]


def test_the_command_needs_the_model_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TUOYU_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TUOYU_EMBEDDING_MODEL_DIR", str(tmp_path / "no-model"))
    monkeypatch.setenv("TUOYU_PROJECT_DIR", str(tmp_path / "project"))
    args = cli.build_parser().parse_args(["review", "export"])
    assert args.handler(args) == 2
    assert "cannot be checked" in capsys.readouterr().err
    assert not (tmp_path / "project").exists()
