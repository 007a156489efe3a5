"""Resolved review-queue questions as regression cases: each must keep finding its entry.

Staff resolve a parent's question by linking it to the entry that answers it. Exporting writes
those questions to REGRESSIONS_FILE (question, language, expected entry, date resolved;
masked as stored), merged with the cases already there, and
tests/integration/test_review_regressions.py checks with the real model and index that each
still finds its entry. "Finds" means what the parent would see: the entry is the answer, or
the first of the entries offered as "these may answer your question" (finds_its_entry).

A case is written only once it finds its entry at export time, so the file never starts with
a failing case: a question linked to an entry whose new example questions are still a draft
waits (ExportReport.waiting) until the change is published and the index rebuilt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.content import load_entries
from knowledge_base.embedding import Embedder
from knowledge_base.guidance import (
    DEFAULT_CONFIDENCE_THRESHOLD,
    DEFAULT_MAYBE_THRESHOLD,
    GuidanceService,
)
from knowledge_base.index import ensure_index
from knowledge_base.language import Language
from knowledge_base.privacy import mask_personal_numbers
from knowledge_base.review_queue import ResolvedQuestion, ReviewQueue
from knowledge_base.search import GuidanceSearch

# Relative to the project folder.
REGRESSIONS_FILE = Path("tests") / "data" / "review_regressions.yml"
HEADER = """\
# Parents' questions from the review queue that staff resolved to the entry that answers them.
# Written by `tuoyu review export` or the staff console's "Export regression cases" (merged
# with what is here; never duplicated). tests/integration/test_review_regressions.py checks,
# with the real model and index, that each still finds its entry: the bot answers with it, or
# offers it first. Phone and ID numbers are masked. Remove a case only when its entry is
# retired on purpose.
"""


@dataclass(frozen=True)
class RegressionCase:
    question: str
    language: Language
    entry: str
    resolved: str  # the date staff resolved it, YYYY-MM-DD

    @property
    def key(self) -> tuple[str, str]:
        return (self.question, self.language)


@dataclass
class ExportReport:
    added: list[RegressionCase] = field(default_factory=list)
    updated: list[RegressionCase] = field(default_factory=list)
    unchanged: int = 0
    # Resolved, but not found by the search yet: left out until they are.
    waiting: list[RegressionCase] = field(default_factory=list)
    total: int = 0

    def summary(self) -> str:
        text = (
            f"{len(self.added)} new, {len(self.updated)} changed, {self.unchanged} already "
            f"there; {self.total} cases in all"
        )
        if self.waiting:
            text += (
                f". {len(self.waiting)} resolved questions do not find their entry yet and "
                "were left out: publish the entries' new example questions, rebuild the "
                "index, then export again"
            )
        return text


def _case(raw: Any) -> RegressionCase:
    if not isinstance(raw, dict):
        raise ValueError(f"a case must be a mapping, not {raw!r}")
    language = str(raw.get("language"))
    if language not in ("zh", "en"):
        raise ValueError(f"language must be zh or en: {raw!r}")
    question, entry = str(raw.get("question") or ""), str(raw.get("entry") or "")
    if not question.strip() or not entry.strip():
        raise ValueError(f"a case needs a question and an entry: {raw!r}")
    return RegressionCase(question, "en" if language == "en" else "zh", entry, str(raw["resolved"]))


def load_cases(path: Path) -> list[RegressionCase]:
    """The cases in a regressions file; none when it does not exist yet."""
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    if not isinstance(data, dict) or not isinstance(data.get("cases") or [], list):
        raise ValueError(f"{path}: expected a mapping with a list under 'cases'")
    return [_case(raw) for raw in data.get("cases") or []]


def write_cases(path: Path, cases: Sequence[RegressionCase]) -> None:
    body = yaml.safe_dump(
        {"cases": [asdict(case) for case in cases]},
        allow_unicode=True,
        sort_keys=False,
        width=1000,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(HEADER + body, "utf-8")
    temporary.replace(path)  # a reader never sees half a file


def export_cases(
    resolved: Sequence[ResolvedQuestion],
    path: Path,
    finds: Callable[[RegressionCase], bool],
) -> ExportReport:
    """Merges resolved questions into the file at path: a new question is added, one
    resolved to another entry since is changed, the rest are kept as they are. Only cases
    that `finds` accepts are written."""
    cases = {case.key: case for case in load_cases(path)}
    report = ExportReport()
    for question in resolved:
        if question.language not in ("zh", "en"):
            continue
        case = RegressionCase(
            question=mask_personal_numbers(question.question),
            language="en" if question.language == "en" else "zh",
            entry=question.entry_id,
            resolved=question.resolved_at[:10],
        )
        known = cases.get(case.key)
        if known is not None and known.entry == case.entry:
            report.unchanged += 1
            continue
        if not finds(case):
            report.waiting.append(case)
            continue
        (report.added if known is None else report.updated).append(case)
        cases[case.key] = case
    report.total = len(cases)
    if report.added or report.updated or not path.is_file():
        write_cases(path, list(cases.values()))
    return report


def finds_its_entry(guidance: GuidanceService, case: RegressionCase) -> bool:
    """Whether a parent asking this question gets the case's entry: as the answer, or first
    among the entries offered. Nothing is recorded in the review queue."""
    answer = guidance.answer(case.question, case.language, record_misses=False)
    found = answer.entry or answer.maybe
    return found is not None and found.id == case.entry


def guidance_for_checks(
    content_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    *,
    threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
    maybe_threshold: float = DEFAULT_MAYBE_THRESHOLD,
) -> GuidanceService:
    """The bot's own guidance service over the published entries and the index (rebuilt
    first if content or model changed since it was built), with the bot's thresholds and no
    review queue: checking records nothing."""
    published = load_entries(content_dir).published()
    index, _ = ensure_index(index_dir, published, embedder)
    entries = {entry.id: entry for entry in published}
    return GuidanceService(
        GuidanceSearch(index, entries, embedder),
        entries,
        threshold=threshold,
        maybe_threshold=maybe_threshold,
    )


def export_review_cases(
    queue_path: Path,
    path: Path,
    *,
    content_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
    maybe_threshold: float = DEFAULT_MAYBE_THRESHOLD,
) -> ExportReport:
    """`tuoyu review export`: the queue's resolved questions into the file at path, each
    checked with the bot's own guidance first."""
    resolved = ReviewQueue(queue_path).resolved_questions() if queue_path.is_file() else []
    if not resolved:
        return export_cases([], path, lambda case: False)
    guidance = guidance_for_checks(
        content_dir, index_dir, embedder, threshold=threshold, maybe_threshold=maybe_threshold
    )
    return export_cases(resolved, path, lambda case: finds_its_entry(guidance, case))
