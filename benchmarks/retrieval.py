"""Retrieval quality and the confidence threshold, on benchmarks/data/guidance_questions.yml.

    .venv/bin/python -m benchmarks.retrieval

Reports recall@1/@3 and MRR for answerable questions, how many of them clear the confidence
threshold, how many unanswerable ones wrongly clear it, and search latency including the
query embedding.
"""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from actions.composition import build_services
from benchmarks.common import save, summary_ms
from bot.settings import Settings


def main() -> None:
    settings = Settings.from_env()
    data_path = settings.project_dir / "benchmarks" / "data" / "guidance_questions.yml"
    data = yaml.safe_load(Path(data_path).read_text("utf-8"))
    guidance = build_services(settings).guidance
    search = guidance._search  # the benchmark looks beneath the service on purpose
    threshold = guidance.threshold
    ranks: list[int | None] = []
    answered_scores: list[float] = []
    latencies: list[float] = []
    misses = []
    for question, gold in data["answered"].items():
        started = time.perf_counter()
        hits = search.search(question, limit=10)
        latencies.append(time.perf_counter() - started)
        ids = [h.entry.id for h in hits]
        rank = ids.index(gold) + 1 if gold in ids else None
        ranks.append(rank)
        answered_scores.append(hits[0].score)
        if rank != 1 or hits[0].score < threshold:
            misses.append(
                {
                    "question": question,
                    "gold": gold,
                    "got": ids[0],
                    "score": round(hits[0].score, 3),
                }
            )
    unanswered_scores = []
    false_confident = []
    for question in data["unanswered"]:
        started = time.perf_counter()
        hits = search.search(question, limit=3)
        latencies.append(time.perf_counter() - started)
        unanswered_scores.append(hits[0].score)
        if hits[0].score >= threshold:
            false_confident.append(
                {"question": question, "got": hits[0].entry.id, "score": round(hits[0].score, 3)}
            )
    n = len(ranks)
    result = {
        "answerable": n,
        "recall_at_1": round(sum(r == 1 for r in ranks) / n, 3),
        "recall_at_3": round(sum(r is not None and r <= 3 for r in ranks) / n, 3),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 3),
        "threshold": threshold,
        "answered_confidently": round(
            sum(r == 1 and s >= threshold for r, s in zip(ranks, answered_scores, strict=True)) / n,
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
