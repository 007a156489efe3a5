"""Retrieval quality and the confidence threshold on the dev set.

    .venv/bin/python -m benchmarks.retrieval

Dev set: benchmarks/data/dev_questions/*.yml (parent questions, each with its gold entry id,
none copied from the entries) and benchmarks/data/unanswerable.yml (questions with no entry).
Reports recall@1/@3 and MRR overall and by language, how many answerable questions clear the
confidence threshold with the right entry, how many unanswerable ones wrongly clear it, and
search latency including the query embedding. Targets: R@1 >= 0.85, R@3 >= 0.95.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml

from actions.composition import build_services
from benchmarks.common import save, summary_ms
from bot.settings import Settings
from knowledge_base.language import detect_language


def load_dev_set(data_dir: Path) -> dict[str, Any]:
    answered: dict[str, str] = {}
    for path in sorted((data_dir / "dev_questions").glob("*.yml")):
        answered.update(yaml.safe_load(path.read_text("utf-8")) or {})
    unanswered = yaml.safe_load((data_dir / "unanswerable.yml").read_text("utf-8"))
    return {"answered": answered, "unanswered": unanswered}


def main() -> None:
    settings = Settings.from_env()
    data = load_dev_set(settings.project_dir / "benchmarks" / "data")
    guidance = build_services(settings).guidance
    search = guidance._search  # the benchmark looks beneath the service on purpose
    threshold = guidance.threshold
    ranks: list[int | None] = []
    answered_scores: list[float] = []
    answered_confident: list[bool] = []
    latencies: list[float] = []
    misses = []
    for question, gold in data["answered"].items():
        started = time.perf_counter()
        hits = search.search(question, limit=10)
        latencies.append(time.perf_counter() - started)
        ids = [h.entry.id for h in hits]
        rank = ids.index(gold) + 1 if gold in ids else None
        ranks.append(rank)
        answered_scores.append(hits[0].similarity)
        confident = guidance.is_confident(hits, detect_language(question) or "zh")
        answered_confident.append(confident)
        if rank != 1 or not confident:
            misses.append(
                {
                    "question": question,
                    "gold": gold,
                    "got": ids[0],
                    "score": round(hits[0].similarity, 3),
                }
            )
    unanswered_scores = []
    false_confident = []
    for question in data["unanswered"]:
        started = time.perf_counter()
        hits = search.search(question, limit=3)
        latencies.append(time.perf_counter() - started)
        unanswered_scores.append(hits[0].similarity)
        if guidance.is_confident(hits, detect_language(question) or "zh"):
            false_confident.append(
                {
                    "question": question,
                    "got": hits[0].entry.id,
                    "score": round(hits[0].similarity, 3),
                }
            )
    n = len(ranks)
    by_language: dict[str, dict[str, float]] = {}
    for language in ("zh", "en"):
        picked = [
            r
            for q, r in zip(data["answered"], ranks, strict=True)
            if (detect_language(q) or "zh") == language
        ]
        if picked:
            by_language[language] = {
                "n": len(picked),
                "recall_at_1": round(sum(r == 1 for r in picked) / len(picked), 3),
                "recall_at_3": round(
                    sum(r is not None and r <= 3 for r in picked) / len(picked), 3
                ),
            }
    result = {
        "answerable": n,
        "recall_at_1": round(sum(r == 1 for r in ranks) / n, 3),
        "recall_at_3": round(sum(r is not None and r <= 3 for r in ranks) / n, 3),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 3),
        "by_language": by_language,
        "threshold": threshold,
        "answered_confidently": round(
            sum(r == 1 and c for r, c in zip(ranks, answered_confident, strict=True)) / n,
            3,
        ),
        "unanswerable": len(unanswered_scores),
        "unanswerable_wrongly_confident": len(false_confident),
        "score_ranges": {
            "answerable_top1": [round(min(answered_scores), 3), round(max(answered_scores), 3)],
            "unanswerable_top1": [
                round(min(unanswered_scores), 3),
                round(max(unanswered_scores), 3),
            ],
        },
        "search_latency_with_embedding": summary_ms(latencies),
        "misses": misses,
        "false_confident": false_confident,
    }
    for key in (
        "answerable",
        "by_language",
        "unanswerable",
        "recall_at_1",
        "recall_at_3",
        "mrr",
        "answered_confidently",
        "unanswerable_wrongly_confident",
        "score_ranges",
        "search_latency_with_embedding",
    ):
        print(f"{key:32} {result[key]}")
    print(f"-> {save('retrieval', result)}")


if __name__ == "__main__":
    main()
